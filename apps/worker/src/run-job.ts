import {
  type Alerting,
  type AlertThresholds,
  alertChangesForRun,
  CREDENTIALS_REJECTED_ERROR,
  describeSyncError,
  failureAlertText,
  type KitchenEventPublisher,
  type Logger,
  type Metrics,
  newbookRequestObserver,
  type OutageDetector,
  type QueueSet,
  RateLimitDeferredError,
  type RunDeferredInput,
  type RunKind,
  readerErrorFor,
  recordRunDeferred,
  recordRunFailure,
  recordRunSkipped,
  runBudget,
  type ScheduleOwner,
  type SlotSource,
  type SyncContext,
} from "@occ/core";
import type { Db, RunRead } from "@occ/db";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { ChangeNotifier } from "./change-webhook";
import type { KitchenLocks } from "./kitchen-locks";
import { LockLostError } from "./redis-lock";

/** What the sync engine reports for a completed run (frequent and historical alike). */
export interface CompletedRun {
  window: { from: string; to: string };
  /** How a next-days run read Newbook (historical runs read their span whole and say nothing). */
  read?: RunRead;
  newbookCalls: number;
  bookingsFetched: number;
  rowsChanged: number;
  /** Bookings in the run's change set (historical runs record none). */
  bookingChanges?: number;
  durationMs: number;
  /** When the run's (last) transaction committed; historical runs commit in chunks and leave it out. */
  committedAt?: Date;
}

export interface RunDeps {
  db: Db;
  queues: QueueSet;
  locks: KitchenLocks;
  /** The engine's context; its logger, rate limiter and Newbook observer are replaced per job. */
  sync: Omit<SyncContext, "rateLimiter">;
  /** The shared per-credential budget; each run gets its own view of it (see runBudget). */
  rateLimiter?: SlotSource;
  metrics: Metrics;
  alerting: Alerting;
  /** Folds many kitchens failing the same way against one Newbook into one incident. */
  outage: OutageDetector;
  /** Re-applies the kitchen's schedule after each run (back-off, busy hours) and records its next run. */
  schedule: ScheduleOwner;
  thresholds: AlertThresholds;
  logger: Logger;
  /** Tells every API replica (and so every open page of the kitchen) what just happened. */
  events: KitchenEventPublisher;
  /** Queues CHANGE_WEBHOOK_URL's message about a committed change set (a no-op when it is unset). */
  changes: ChangeNotifier;
}

export interface RunRequest {
  kind: RunKind;
  kitchenId: number;
  runId: string;
  /** The run this attempt repeats (claimRun), recorded on a skipped run too. */
  retryOf?: string;
  trigger: string;
  job: Job;
  /** The worker's lock token of the job, needed to move it back to delayed. */
  token?: string;
  /** From the job's last deferral: requests this attempt reserves before its first one. */
  requestsNeeded?: number;
}

export type RunSummary =
  | ({ outcome: "success"; runId: string } & CompletedRun)
  | { outcome: "skipped"; runId: string; reason: string };

/** Why a frequent run was skipped: an earlier one of its kitchen waits in the queue for the budget. */
export const WAITING_RUN_REASON =
  "Another sync of this kitchen is waiting for its Newbook connection's request budget";

/**
 * The credential had no budget for requests the run needed, or Newbook asked it to pause for longer
 * than is worth waiting in place: the job goes back to delayed until the credential may send again,
 * freeing the worker slot for kitchens on other credentials, and remembers how many requests to reserve
 * at once next time.
 */
async function deferRun(
  deps: RunDeps,
  request: RunRequest,
  deferral: RateLimitDeferredError,
): Promise<never> {
  const { kind, kitchenId, runId, job } = request;
  await job.updateData({ ...job.data, requestsNeeded: deferral.requestsNeeded });
  // Every job waiting on the key hears the same time; spread over half the wait, they do not all wake to
  // one free slot at once (each one woken for nothing costs a slot and a few writes).
  const jitterMs = Math.floor(Math.random() * (deferral.waitMs / 2));
  const dueAtMs = deferral.retryAtMs + jitterMs;
  if (kind === "frequent") await deps.locks.markWaiting(kitchenId, runId, dueAtMs - Date.now());
  return backToDelayed(deps, request, { message: deferral.message, code: "rate_limited" }, dueAtMs);
}

/**
 * The job goes back to the queue until `dueAtMs`, its run shown as queued saying why (recordRunDeferred)
 * and counted as deferred. DelayedError tells BullMQ it was moved on purpose, so it is not an attempt, a
 * failure or a retry.
 */
async function backToDelayed(
  deps: RunDeps,
  request: RunRequest,
  why: Pick<RunDeferredInput, "message" | "code">,
  dueAtMs: number,
): Promise<never> {
  const { kind, kitchenId, runId, job } = request;
  await recordRunDeferred(deps.db, { runId, kitchenId, ...why });
  deps.metrics.syncRuns.inc({ kind, outcome: "deferred" });
  await job.moveToDelayed(dueAtMs, request.token);
  throw new DelayedError();
}

/** How long a "Sync now" waits in the queue for its kitchen while other runs have it, before it is skipped. */
const SYNC_NOW_PATIENCE_MS = 15 * 60_000;

/** What a waiting "Sync now" says on its run (the page following it shows it). */
export const KITCHEN_BUSY_MESSAGE = "Waiting for the sync already running for this kitchen to finish";

/**
 * Whether a run that found its kitchen busy waits for it instead of being skipped. A schedule tick is
 * skipped: the run that has the kitchen does its work, and the next tick comes anyway. A "Sync now" waits:
 * a manager asked for a sync after the moment they clicked, and the API already follows any run it can see
 * at that moment, so a "Sync now" meets a busy kitchen only when another run took the kitchen just before
 * writing its row, or was picked from the queue beside it; skipping it would end the manager's request
 * with "skipped" and no sync.
 */
function waitsForKitchen(request: RunRequest): boolean {
  return request.trigger === "sync_now" && Date.now() - request.job.timestamp < SYNC_NOW_PATIENCE_MS;
}

/**
 * A "Sync now" whose kitchen is busy gives its worker slot back and tries again shortly: a next-days run
 * takes about a second, so at first every quarter second, then less often the longer it has waited (a
 * historical import holds the kitchen for minutes), at most every 5 s.
 */
async function waitForKitchen(deps: RunDeps, request: RunRequest, log: Logger): Promise<never> {
  const waitedMs = Date.now() - request.job.timestamp;
  const delayMs = Math.min(5_000, Math.max(250, Math.floor(waitedMs / 4)));
  log.info("sync waits for its kitchen", { outcome: "deferred", reason: "kitchen_busy", delay_ms: delayMs });
  const why = { message: KITCHEN_BUSY_MESSAGE, code: "kitchen_busy" } as const;
  return backToDelayed(deps, request, why, Date.now() + delayMs);
}

/** Whether another attempt could succeed: errors say so themselves (`retryable`); unknown ones may. */
function isRetryable(error: unknown): boolean {
  return !(error instanceof Error && (error as { retryable?: unknown }).retryable === false);
}

/** Only the next-days sync drives the settings row, schedule back-off and kitchen alerts. */
function tracksKitchenHealth(kind: RunKind): boolean {
  return kind !== "historical";
}

/**
 * A run that must not sync the kitchen because another run has it: recorded as "skipped", which
 * completes the job without retry and is no failure of Newbook's.
 */
async function skipRun(deps: RunDeps, request: RunRequest, log: Logger, reason: string): Promise<RunSummary> {
  const { kind, kitchenId, runId, retryOf, trigger, job } = request;
  await recordRunSkipped(deps.db, { runId, retryOf, kitchenId, kind, trigger, reason, jobId: job.id });
  deps.metrics.syncRuns.inc({ kind, outcome: "skipped" });
  log.info("sync skipped", { outcome: "skipped", reason });
  return { outcome: "skipped", runId, reason };
}

/**
 * One attempt of one run, whatever its kind: takes the kitchen lock (a busy kitchen makes the run
 * "skipped"), logs start and end, records the outcome and its consequences (metrics, back-off,
 * alerts), and tells BullMQ whether to retry. The engine checks the lock is still ours before each
 * commit; a run that lost it rolls back and is skipped too, since another replica may own the kitchen.
 */
export async function runJob(
  deps: RunDeps,
  request: RunRequest,
  execute: (ctx: SyncContext, attempt: number) => Promise<CompletedRun>,
): Promise<RunSummary> {
  const { job, kind, kitchenId, runId } = request;
  const attempt = job.attemptsMade + 1;
  const attempts = job.opts.attempts ?? 1;
  const log = deps.logger.child({
    kitchen_id: kitchenId,
    run_id: runId,
    job_id: job.id,
    queue: job.queueName,
    kind,
    trigger: request.trigger,
    attempt,
  });

  // One frequent run per kitchen waits for the credential's budget (KitchenLocks.markWaiting).
  if (kind === "frequent" && (await deps.locks.otherWaitingRun(kitchenId, runId))) {
    return skipRun(deps, request, log, WAITING_RUN_REASON);
  }
  // A job taken over from a crashed worker may find that worker's lock not yet expired.
  const waitMs = job.stalledCounter > 0 ? deps.locks.ttlMs : 0;
  const lock = await deps.locks.acquire(kitchenId, runId, waitMs);
  // A run back from waiting ends its mark once it holds the kitchen (or found it busy): later ticks
  // then meet the lock, or run.
  if (kind === "frequent" && request.requestsNeeded !== undefined) {
    await deps.locks.clearWaiting(kitchenId, runId);
  }
  if (!lock) {
    if (waitsForKitchen(request)) return waitForKitchen(deps, request, log);
    return skipRun(deps, request, log, "Another sync of this kitchen was running");
  }

  let newbookCalls = 0;
  const observe = newbookRequestObserver(deps.metrics);
  const ctx: SyncContext = {
    ...deps.sync,
    rateLimiter: deps.rateLimiter && runBudget(deps.rateLimiter, { atLeast: request.requestsNeeded }),
    beforeCommit: () => lock.ensureHeld(),
    logger: log,
    onNewbookRequest: (event) => {
      newbookCalls++;
      observe(event);
    },
  };
  const started = Date.now();
  log.info("sync started", { attempts });
  await deps.events.publish({ kitchenId, runId, kind, type: "started", rowsChanged: 0, bookingChanges: 0 });
  let finished: FinalOutcome | Retry | LockLost | Deferred;
  try {
    finished = await attemptRun(deps, request, log, () => execute(ctx, attempt), {
      attempt,
      attempts,
      started,
      newbookCalls: () => newbookCalls,
    });
  } finally {
    // Released before the bookkeeping below, which is not sync work: the next run may start now.
    await lock.release().catch((error) => log.warn("kitchen lock release failed", { error: String(error) }));
  }
  if (finished.outcome === "deferred") return deferRun(deps, request, finished.deferral);
  if (finished.outcome === "lock_lost") {
    return skipRun(
      deps,
      request,
      log,
      "The kitchen lock was lost mid-sync; its uncommitted writes were rolled back",
    );
  }
  if (finished.outcome !== "retry") {
    await afterFinalOutcome(deps, request, log, finished);
    // Back-off, next run and alerts are settled only now: the status the pages show changes again.
    await deps.events.publish({
      kitchenId,
      runId,
      kind,
      type: finished.outcome === "success" ? "status" : "failed",
      rowsChanged: 0,
      bookingChanges: 0,
    });
  }
  if (finished.outcome === "success") return { outcome: "success", runId, ...finished.result };
  throw jobError(finished.message, finished.error, finished.retryable);
}

/**
 * The error BullMQ keeps as the job's failedReason, which Bull Board shows first: the words the
 * settings page shows, then the underlying cause (admins only see the board), with the cause's stack.
 * An error no retry can help is an UnrecoverableError, so BullMQ fails the job at once.
 */
export function jobError(message: string, error: unknown, retryable = true): Error {
  const cause = error instanceof Error ? error.message : String(error);
  const text = cause && cause !== message ? `${message} — ${cause}` : message;
  const wrapped = retryable ? new Error(text, { cause: error }) : new UnrecoverableError(text);
  if (error instanceof Error && error.stack) wrapped.stack = `${wrapped.name}: ${text}\n${error.stack}`;
  return wrapped;
}

type FinalOutcome =
  | { outcome: "success"; durationMs: number; result: CompletedRun }
  | {
      outcome: "failed";
      durationMs: number;
      consecutiveFailures: number;
      error: unknown;
      retryable: boolean;
      message: string;
    };
type Retry = { outcome: "retry"; error: unknown; retryable: true; message: string };
type LockLost = { outcome: "lock_lost" };
type Deferred = { outcome: "deferred"; deferral: RateLimitDeferredError };

/** Runs the sync and records its outcome while the kitchen lock is held. */
async function attemptRun(
  deps: RunDeps,
  request: RunRequest,
  log: Logger,
  sync: () => Promise<CompletedRun>,
  progress: { attempt: number; attempts: number; started: number; newbookCalls: () => number },
): Promise<FinalOutcome | Retry | LockLost | Deferred> {
  const { kind, kitchenId, runId } = request;
  try {
    const result = await sync();
    // Committed: pages refresh their figures now, before the bookkeeping below.
    await deps.events.publish({
      kitchenId,
      runId,
      kind,
      type: "synced",
      rowsChanged: result.rowsChanged,
      bookingChanges: result.bookingChanges ?? 0,
      committedAt: result.committedAt?.toISOString(),
    });
    // After the pages: whether the set is worth a message is the job's question, not the sync's.
    if ((result.bookingChanges ?? 0) > 0) deps.changes.enqueue({ kitchenId, runId });
    const durationMs = result.durationMs;
    deps.metrics.syncRuns.inc({ kind, outcome: "success" });
    if (result.read) deps.metrics.syncReads.inc({ read: result.read });
    deps.metrics.syncDuration.observe({ kind, outcome: "success" }, durationMs / 1000);
    log.info("sync finished", {
      outcome: "success",
      window_from: result.window.from,
      window_to: result.window.to,
      duration_ms: durationMs,
      newbook_calls: result.newbookCalls,
      ...(result.read ? { read: result.read } : {}),
      bookings: result.bookingsFetched,
      rows_changed: result.rowsChanged,
    });
    return { outcome: "success", durationMs, result };
  } catch (error) {
    if (error instanceof LockLostError) return { outcome: "lock_lost" };
    if (error instanceof RateLimitDeferredError) {
      // Logged while the kitchen lock is still held: the attempt ends here, before another may start.
      // Out of our own budget for the credential, or Newbook asked for a pause (429 with Retry-After):
      // `reason` says which. The message stays as log checks (chaos, compose e2e) know it.
      log.info("sync deferred: the Newbook connection's request budget is used up", {
        outcome: "deferred",
        wait_ms: error.waitMs,
        reason: error.message,
      });
      return { outcome: "deferred", deferral: error };
    }
    const durationMs = Date.now() - progress.started;
    const retryable = isRetryable(error);
    const final = !retryable || progress.attempt >= progress.attempts;
    const outcome = final ? "failed" : "retry";
    const description = describeSyncError(error);
    let consecutiveFailures = 0;
    try {
      ({ consecutiveFailures } = await recordRunFailure(deps.db, {
        runId,
        kitchenId,
        kind,
        error,
        final,
        durationMs,
        newbookCalls: progress.newbookCalls(),
        attempt: progress.attempt,
      }));
    } catch (recordError) {
      // The database may be the very thing that failed; the job's retry is what matters then.
      log.error("could not record the failed sync", { error: String(recordError) });
    }
    deps.metrics.syncRuns.inc({ kind, outcome });
    deps.metrics.syncDuration.observe({ kind, outcome }, durationMs / 1000);
    log.log(final ? "error" : "warn", "sync finished", {
      outcome,
      duration_ms: durationMs,
      newbook_calls: progress.newbookCalls(),
      error_code: description.code,
      error: description.message,
      cause: error instanceof Error ? error.message : String(error),
      consecutive_failures: final ? consecutiveFailures : undefined,
    });
    // The job's failure leads with the words the settings page shows for this class of error.
    const readerText = readerErrorFor(description.code).text;
    if (!final) return { outcome: "retry", error, retryable: true, message: readerText };
    return {
      outcome: "failed",
      durationMs,
      consecutiveFailures,
      error,
      retryable,
      message: readerText,
    };
  }
}

/** Schedule back-off (or its end) and alerts. Their failure is logged: the run's outcome stands. */
async function afterFinalOutcome(
  deps: RunDeps,
  request: RunRequest,
  log: Logger,
  run: FinalOutcome,
): Promise<void> {
  if (!tracksKitchenHealth(request.kind)) return;
  try {
    const applied = await deps.schedule.apply(request.kitchenId);
    const failures = run.outcome === "failed" ? run.consecutiveFailures : 0;
    const errorCode = run.outcome === "failed" ? describeSyncError(run.error).code : undefined;
    const incidentId =
      errorCode === undefined ? null : await deps.outage.onFailure(request.kitchenId, errorCode);
    const failureText =
      run.outcome === "failed"
        ? failureAlertText({
            code: errorCode!,
            consecutiveFailures: failures,
            timeZone: applied.timezone,
            lastSuccessAt: applied.lastSuccessAt,
            nextSyncAt: applied.nextSyncAt,
          })
        : undefined;
    const finished =
      run.outcome === "failed"
        ? { outcome: run.outcome, durationMs: run.durationMs, consecutiveFailures: failures, errorCode }
        : { outcome: run.outcome, durationMs: run.durationMs };
    await deps.alerting.applyRunChanges(request.kitchenId, alertChangesForRun(finished, deps.thresholds), {
      messages: {
        consecutive_failures: failureText,
        credentials_rejected: failureText,
        slow_sync: `A sync took ${Math.round(run.durationMs / 1000)} s, longer than the ${Math.round(deps.thresholds.slowSyncMs / 1000)} s expected. The figures are still up to date; we have been told.`,
      },
      details: {
        run_id: request.runId,
        duration_ms: run.durationMs,
        consecutive_failures: failures,
        error_code: errorCode,
        // What the reader must do, and where: the page links the alert to it.
        action: errorCode === CREDENTIALS_REJECTED_ERROR ? "settings" : undefined,
        last_success_at: applied.lastSuccessAt,
        next_sync_at: applied.nextSyncAt,
      },
      incidentId,
    });
    if (run.outcome === "success") await deps.outage.onSuccess(request.kitchenId);
  } catch (error) {
    log.error("post-run bookkeeping failed", { error: String(error) });
  }
}
