import type { Freshness } from "@occ/api";
import { formatClock, formatRelative } from "./time";

export interface FreshnessNotice {
  /** "As of 14:02" in the kitchen's zone, or why there is no such time. */
  asOf: string;
  /** A banner when the figures must not be taken at face value; null when they are current. */
  banner: { tone: "warning" | "error"; text: string; link: boolean } | null;
  /** Whether figures on the page are visibly marked as possibly out of date. */
  doubtful: boolean;
}

/** Pure: what a data view says about its figures' freshness. */
export function freshnessNotice(freshness: Freshness, timeZone: string, now: Date): FreshnessNotice {
  const at = freshness.as_of;
  const clock = at ? formatClock(at, timeZone) : null;
  const asOf = clock ? `As of ${clock}` : "Not synced yet";
  const since = at && clock ? `${clock}, ${formatRelative(at, now)}` : null;
  const doubtful = isDoubtful(freshness);
  switch (freshness.state) {
    case "fresh":
      return { asOf, banner: null, doubtful };
    case "failing":
      return {
        asOf,
        banner: {
          tone: "error",
          text: since
            ? `Syncing with Newbook is failing: these figures are from ${since} and may be out of date.`
            : "Syncing with Newbook is failing: there are no figures yet.",
          link: true,
        },
        doubtful,
      };
    case "stale":
      return {
        asOf,
        banner: {
          tone: "warning",
          text: `No successful sync since ${since ?? "the kitchen was set up"}: these figures may be out of date.`,
          link: false,
        },
        doubtful,
      };
    case "disabled":
      return {
        asOf,
        banner: {
          tone: "warning",
          text: `Automatic sync is off: these figures are from ${since ?? "no sync yet"} and are not updated.`,
          link: true,
        },
        doubtful,
      };
    case "never_synced":
      return {
        asOf,
        banner: { tone: "warning", text: "Not synced with Newbook yet: there are no figures.", link: false },
        doubtful,
      };
    case "not_connected":
      return {
        asOf,
        banner: { tone: "warning", text: "Not connected to Newbook yet: set up the connection.", link: true },
        doubtful,
      };
  }
}

/** Whether figures must be visibly marked: anything but a kitchen whose syncs are current. */
export function isDoubtful(freshness: Pick<Freshness, "state">): boolean {
  return freshness.state !== "fresh";
}

/** Whether a date's figures come from the last sync's window (dates after it were never fetched). */
export function isSynced(date: string, freshness: Pick<Freshness, "synced_to">): boolean {
  return freshness.synced_to !== null && date <= freshness.synced_to;
}
