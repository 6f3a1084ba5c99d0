import type { KitchenSyncEvent } from "@occ/api";
import { queryKeys } from "../api/keys";

type QueryKey = readonly unknown[];

/** Figures a commit rewrites, each answer carrying its "as of": what the pass reads. */
const FIGURES: readonly QueryKey[] = [
  queryKeys.occupancyAll,
  queryKeys.residentsAll,
  queryKeys.arrivals,
  queryKeys.mealSheetsAll,
];
/** What a run's final outcome moves: status, next run, history, alerts. */
const STATUS: readonly QueryKey[] = [
  queryKeys.frequentSync,
  queryKeys.syncRunsAll,
  queryKeys.alertsAll,
  queryKeys.adminKitchens,
];

/**
 * The queries one sync event makes stale, in two waves: `first` is refetched at once; `after` once those
 * answers are in, so on a busy machine the figures do not share the API with the feed and status box.
 */
export interface RefreshPlan {
  first: QueryKey[];
  after: QueryKey[];
}

/**
 * Pure: what each event changes, and only that: refetching the figures again on the run's later "status"
 * event would abort the figures' request still in flight and start it over.
 */
export function queriesToRefresh(event: Pick<KitchenSyncEvent, "type" | "booking_changes">): RefreshPlan {
  switch (event.type) {
    case "started":
      return { first: [queryKeys.frequentSync, queryKeys.syncRunsAll], after: [] };
    case "synced":
      return {
        first: [...FIGURES],
        // The feed when the run changed bookings; last success and "as of" in the status box.
        after: [...(event.booking_changes > 0 ? [queryKeys.changes] : []), queryKeys.frequentSync],
      };
    case "status":
      return { first: [...STATUS], after: [] };
    case "failed":
      // Nothing was committed, but every figure's freshness (banner, stripes) may have turned.
      return { first: [...FIGURES], after: [...STATUS] };
  }
}
