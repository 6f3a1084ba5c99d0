import type { Config } from "../config";
import { type FrequentSyncJobData, type HistoricalSyncJobData, schedulerIdFor, syncJobName } from "./names";
import { jobOptionsFor, type QueueSet } from "./queues";

export interface ScheduleOptions {
  /** Length of a "minute" in ms: 60 000 in production, small in tests (SYNC_MINUTE_MS). */
  minuteMs: number;
  attempts: number;
  backoffMs: number;
  backoffAfterFailures: number;
}

export function scheduleOptionsFromConfig(config: Config): ScheduleOptions {
  return {
    minuteMs: config.SYNC_MINUTE_MS,
    attempts: config.JOB_ATTEMPTS,
    backoffMs: config.JOB_BACKOFF_MS,
    backoffAfterFailures: config.BACKOFF_AFTER_FAILURES,
  };
}

const STRAY_STATES = new Set(["waiting", "delayed", "prioritized"]);

/**
 * Makes the kitchen's job scheduler run every `everyMs` from `startAt` (BullMQ honours the start only when
 * the period changes or the scheduler is new; `replace` removes it first so the start always applies). An
 * upsert changes the interval in place: removing first would open a window without any schedule.
 */
export async function upsertKitchenScheduler(
  queues: QueueSet,
  kitchenId: number,
  schedule: { everyMs: number; startAt: number; replace?: boolean; kitchenName?: string },
  opts: ScheduleOptions,
): Promise<void> {
  const schedulerId = schedulerIdFor(kitchenId);
  if (schedule.replace) {
    await queues.frequent.removeJobScheduler(schedulerId);
    // A job the scheduler lost track of may still wait in the slot about to be used; BullMQ would then
    // move the new schedule a whole period on, so the stray goes (the new scheduler takes its place).
    const stray = await queues.frequent.getJob(`repeat:${schedulerId}:${schedule.startAt}`);
    if (stray && STRAY_STATES.has(await stray.getState())) await stray.remove();
  }
  const data: FrequentSyncJobData = { kitchenId, trigger: "schedule" };
  await queues.frequent.upsertJobScheduler(
    schedulerId,
    { every: schedule.everyMs, startDate: schedule.startAt },
    { name: syncJobName(kitchenId, schedule.kitchenName), data, opts: jobOptionsFor(opts) },
  );
}

export async function readKitchenSchedule(
  queues: QueueSet,
  kitchenId: number,
): Promise<{ everyMs: number; next: number | null; jobName: string } | null> {
  const scheduler = await queues.frequent.getJobScheduler(schedulerIdFor(kitchenId));
  if (!scheduler?.every) return null;
  return {
    everyMs: Number(scheduler.every),
    next: scheduler.next === undefined ? null : Number(scheduler.next),
    jobName: scheduler.name,
  };
}

/** jobId = runId, so a double-clicked "sync now" that reuses its run id cannot queue twice. */
export async function enqueueSyncNow(
  queues: QueueSet,
  kitchenId: number,
  runId: string,
  kitchenName?: string,
): Promise<string> {
  const data: FrequentSyncJobData = { kitchenId, trigger: "sync_now", runId };
  const job = await queues.frequent.add(syncJobName(kitchenId, kitchenName), data, { jobId: runId });
  return job.id ?? runId;
}

const PENDING_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

/**
 * jobId = runId. Resuming a run whose job already finished (BullMQ would silently ignore a
 * duplicate id) enqueues it again under a suffixed id; a still-pending job is returned as is.
 */
export async function enqueueHistoricalSync(
  queues: QueueSet,
  data: HistoricalSyncJobData,
  kitchenName?: string,
): Promise<string> {
  const existing = await queues.historical.getJob(data.runId);
  let jobId = data.runId;
  if (existing) {
    if (PENDING_STATES.has(await existing.getState())) return data.runId;
    jobId = `${data.runId}-resume-${Date.now()}`;
  }
  const job = await queues.historical.add(syncJobName(data.kitchenId, kitchenName), data, { jobId });
  return job.id ?? jobId;
}
