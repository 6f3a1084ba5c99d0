export const QUEUE_NAMES = { frequent: "frequent-sync", historical: "historical-sync" } as const;

/** Bumped when the scheduler id scheme changes, so the reconciler can tell old schedulers from current ones. */
export const SCHEDULER_VERSION = "v1";

const SCHEDULER_ID_PATTERN = new RegExp(`^${SCHEDULER_VERSION}:kitchen:(\\d+)$`);

export function schedulerIdFor(kitchenId: number): string {
  return `${SCHEDULER_VERSION}:kitchen:${kitchenId}`;
}

/** The kitchen a scheduler id belongs to, or null for ids this version did not create. */
export function kitchenIdFromSchedulerId(schedulerId: string): number | null {
  const match = SCHEDULER_ID_PATTERN.exec(schedulerId);
  return match ? Number(match[1]) : null;
}

/**
 * The name every sync job of a kitchen carries, so Bull Board's job lists say whose sync it is ("kitchen 12 ·
 * Harbour Hotel"). Workers pick jobs by queue, never by name, so a renamed kitchen's older jobs still run.
 */
export function syncJobName(kitchenId: number, kitchenName?: string | null): string {
  const name = kitchenName?.trim();
  return name ? `kitchen ${kitchenId} · ${name}` : `kitchen ${kitchenId}`;
}

export interface FrequentSyncJobData {
  kitchenId: number;
  trigger: "schedule" | "sync_now";
  runId?: string;
  /** Set when this job's run repeats an earlier one (see claimRun). */
  retryOf?: string;
}

export interface HistoricalSyncJobData {
  kitchenId: number;
  runId: string;
  retryOf?: string;
  dateFrom: string;
  dateTo: string;
}

/**
 * The Redis key of a kitchen's sync lock (its value is the id of the run holding it): the worker takes
 * it, the abandoned-run sweep and "sync now" read it.
 */
export function kitchenLockKey(prefix: string, kitchenId: number): string {
  return `${prefix}:kitchen-lock:${kitchenId}`;
}
