import { z } from "zod";

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

const kitchenId = z.number().int().positive();
/** Set when the job was deferred for rate-limit budget: the requests its next attempt reserves. */
const requestsNeeded = z.number().int().positive().optional();

/**
 * What each queue's jobs carry: one declaration per queue. Job data comes from Redis, written by another
 * process (or an older version), so the worker checks it against these schemas before use.
 */
export const frequentSyncJobSchema = z.object({
  kitchenId,
  trigger: z.enum(["schedule", "sync_now"]),
  runId: z.uuid().optional(),
  /** Set when this job's run repeats an earlier one (see claimRun). */
  retryOf: z.uuid().optional(),
  requestsNeeded,
});
export type FrequentSyncJobData = z.infer<typeof frequentSyncJobSchema>;

export const historicalSyncJobSchema = z.object({
  kitchenId,
  runId: z.uuid(),
  retryOf: z.uuid().optional(),
  dateFrom: z.iso.date(),
  dateTo: z.iso.date(),
  requestsNeeded,
});
export type HistoricalSyncJobData = z.infer<typeof historicalSyncJobSchema>;

/**
 * The Redis key of a kitchen's sync lock (its value is the id of the run holding it): the worker takes
 * it, the abandoned-run sweep and "sync now" read it.
 */
export function kitchenLockKey(prefix: string, kitchenId: number): string {
  return `${prefix}:kitchen-lock:${kitchenId}`;
}

/** The Redis key naming a kitchen's frequent run that waits for its credential's budget (KitchenLocks). */
export function kitchenWaitingKey(prefix: string, kitchenId: number): string {
  return `${prefix}:kitchen-waiting:${kitchenId}`;
}
