/**
 * The choices the UI offers for values the API defines. The API's types come from "@occ/api" (types only);
 * these lists exist at runtime, so each is checked to name every value the API accepts.
 */
import type { Region, RunStatus, SyncInterval } from "@occ/api";

type Missing<T, L extends readonly T[]> = Exclude<T, L[number]>;

/** The list as given, or a compile error naming the members of T it leaves out. */
function everyOf<T>() {
  return <const L extends readonly T[]>(
    list: L & ([Missing<T, L>] extends [never] ? unknown : { missing: Missing<T, L> }),
  ): L => list;
}

export const SYNC_INTERVALS = everyOf<SyncInterval>()([5, 10, 15, 30, 60]);
export const REGIONS = everyOf<Region>()(["au", "ap", "eu", "us", "uk"]);
export const RUN_STATUSES = everyOf<RunStatus>()(["queued", "running", "success", "failed", "skipped"]);
