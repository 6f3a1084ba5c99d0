import { randomUUID } from "node:crypto";
import {
  enqueueHistoricalSync,
  enqueueSyncNow,
  frequentWindow,
  kitchenLockKey,
  type QueueSet,
} from "@occ/core";
import type { Db, RunKind, RunStatus } from "@occ/db";
import { lockKitchenForTransaction, syncRuns } from "@occ/db";
import { and, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { ApiError, conflict } from "../errors";
import { hasConnection } from "./connection";
import { ensureSettings } from "./frequent-sync-settings";
import { withTimeout } from "./with-timeout";

type RunRow = typeof syncRuns.$inferSelect;

export interface RunView {
  id: string;
  kind: RunKind;
  trigger: string;
  status: RunStatus;
  window_from: string;
  window_to: string;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  newbook_calls: number;
  bookings_fetched: number;
  rows_changed: number;
  progress_done: number;
  progress_total: number;
  error_message: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function runView(row: RunRow): RunView {
  return {
    id: row.id,
    kind: row.kind as RunKind,
    trigger: row.trigger,
    status: row.status as RunStatus,
    window_from: row.windowFrom,
    window_to: row.windowTo,
    queued_at: row.queuedAt.toISOString(),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    duration_ms: row.durationMs,
    newbook_calls: row.newbookCalls,
    bookings_fetched: row.bookingsFetched,
    rows_changed: row.rowsChanged,
    progress_done: row.progressDone,
    progress_total: row.progressTotal,
    error_message: row.errorMessage,
  };
}

export const NO_CONNECTION_MESSAGE =
  "Configure the Newbook connection (Settings → Newbook connection) before syncing";
const QUEUE_DOWN_MESSAGE = "The sync could not be queued: the job queue is unreachable. Try again shortly.";

/** A queued/running run older than this no longer blocks "sync now" (its worker is assumed lost). */
const ACTIVE_RUN_HORIZON_MS = 60 * 60_000;

export interface SyncDeps {
  db: Db;
  queues: QueueSet;
  /** Redis and key prefix the workers' kitchen locks live under. */
  redis: Redis;
  prefix: string;
  now: () => Date;
  redisTimeoutMs: number;
}

/**
 * The run holding the kitchen's lock right now (any kind: a scheduled run that has not written its row
 * for long, a historical backfill), or null. Best effort: Redis trouble means "none known".
 */
async function runHoldingKitchen(deps: SyncDeps, kitchenId: number): Promise<string | null> {
  try {
    return await withTimeout(
      deps.redis.get(kitchenLockKey(deps.prefix, kitchenId)),
      deps.redisTimeoutMs,
      "Redis (kitchen lock)",
    );
  } catch {
    return null;
  }
}

async function requireConnection(db: Db, kitchenId: number): Promise<void> {
  if (!(await hasConnection(db, kitchenId))) throw conflict("no_connection", NO_CONNECTION_MESSAGE);
}

/** The run could not be queued: say so on the run itself, then answer 503. */
async function failUnqueued(db: Db, runId: string, now: Date): Promise<never> {
  await db
    .update(syncRuns)
    .set({
      status: "failed",
      finishedAt: now,
      errorMessage: QUEUE_DOWN_MESSAGE,
      errorCode: "queue_unavailable",
    })
    .where(eq(syncRuns.id, runId));
  throw new ApiError(503, "queue_unavailable", QUEUE_DOWN_MESSAGE);
}

/**
 * "Sync now": one run per kitchen at a time. If a frequent run is already queued or running, or any run
 * holds the kitchen, its id is returned at once instead (the caller follows that run), so double clicks,
 * several open tabs and clicks during a sync neither pile up runs nor wait for a "skipped" one.
 */
export async function syncNow(
  deps: SyncDeps,
  kitchen: { id: number; timezone: string },
): Promise<{ run_id: string; already_running: boolean }> {
  const { db } = deps;
  const kitchenId = kitchen.id;
  await requireConnection(db, kitchenId);
  const settings = await ensureSettings(db, kitchenId);
  const now = deps.now();
  const holder = await runHoldingKitchen(deps, kitchenId);
  const created = await db.transaction(async (tx) => {
    await lockKitchenForTransaction(tx, "syncNow", kitchenId);
    const [active] = await tx
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(
        and(
          eq(syncRuns.kitchenId, kitchenId),
          eq(syncRuns.kind, "frequent"),
          inArray(syncRuns.status, ["queued", "running"]),
          gte(syncRuns.queuedAt, new Date(now.getTime() - ACTIVE_RUN_HORIZON_MS)),
        ),
      )
      .orderBy(desc(syncRuns.queuedAt))
      .limit(1);
    if (active) return { id: active.id, existing: true };
    if (holder) {
      const [holding] = await tx
        .select({ id: syncRuns.id })
        .from(syncRuns)
        .where(
          and(eq(syncRuns.id, holder), eq(syncRuns.kitchenId, kitchenId), eq(syncRuns.status, "running")),
        );
      if (holding) return { id: holding.id, existing: true };
    }
    const window = frequentWindow(kitchen.timezone, settings.daysAhead, now);
    const id = randomUUID();
    await tx.insert(syncRuns).values({
      id,
      kitchenId,
      kind: "frequent",
      trigger: "sync_now",
      status: "queued",
      windowFrom: window.from,
      windowTo: window.to,
      jobId: id,
      queuedAt: now,
    });
    return { id, existing: false };
  });
  if (created.existing) return { run_id: created.id, already_running: true };
  try {
    await withTimeout(
      enqueueSyncNow(deps.queues, kitchenId, created.id),
      deps.redisTimeoutMs,
      "Redis (sync now)",
    );
  } catch {
    await failUnqueued(db, created.id, deps.now());
  }
  return { run_id: created.id, already_running: false };
}

export async function getRun(db: Db, kitchenId: number, runId: string): Promise<RunView> {
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.kitchenId, kitchenId), eq(syncRuns.id, runId)));
  if (!row) throw ApiError.notFound("Sync run");
  return runView(row);
}

export interface RunsPageQuery {
  limit?: number;
  before?: string;
  status?: RunStatus;
}

/** Newest first. The cursor keeps microseconds so runs queued in the same millisecond are not skipped. */
export async function listRuns(
  db: Db,
  kitchenId: number,
  query: RunsPageQuery,
): Promise<{ runs: RunView[]; next_before: string | null }> {
  const limit = query.limit ?? 50;
  const rows = await db
    .select({
      run: syncRuns,
      cursor: sql<string>`to_char(${syncRuns.queuedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.kitchenId, kitchenId),
        query.status ? eq(syncRuns.status, query.status) : undefined,
        query.before ? lt(syncRuns.queuedAt, sql`${query.before}::timestamptz`) : undefined,
      ),
    )
    .orderBy(desc(syncRuns.queuedAt), desc(syncRuns.id))
    .limit(limit);
  const last = rows.at(-1);
  return {
    runs: rows.map((r) => runView(r.run)),
    next_before: rows.length === limit && last ? last.cursor : null,
  };
}

export async function startHistoricalSync(
  deps: SyncDeps,
  kitchenId: number,
  range: { date_from: string; date_to: string },
): Promise<{ job_id: string; run_id: string }> {
  const { db } = deps;
  await requireConnection(db, kitchenId);
  const id = randomUUID();
  await db.insert(syncRuns).values({
    id,
    kitchenId,
    kind: "historical",
    trigger: "historical",
    status: "queued",
    windowFrom: range.date_from,
    windowTo: range.date_to,
    queuedAt: deps.now(),
  });
  let jobId: string;
  try {
    jobId = await withTimeout(
      enqueueHistoricalSync(deps.queues, {
        kitchenId,
        runId: id,
        dateFrom: range.date_from,
        dateTo: range.date_to,
      }),
      deps.redisTimeoutMs,
      "Redis (historical sync)",
    );
  } catch {
    return failUnqueued(db, id, deps.now());
  }
  await db.update(syncRuns).set({ jobId }).where(eq(syncRuns.id, id));
  return { job_id: jobId, run_id: id };
}

async function findHistoricalRun(db: Db, kitchenId: number, jobId: string): Promise<RunRow> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(jobId);
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.kitchenId, kitchenId),
        eq(syncRuns.kind, "historical"),
        // A resumed run has a new job id; the original one (= run id) keeps working.
        isUuid ? or(eq(syncRuns.jobId, jobId), eq(syncRuns.id, jobId)) : eq(syncRuns.jobId, jobId),
      ),
    );
  if (!row) throw ApiError.notFound("Sync job");
  return row;
}

export interface JobStatusView {
  job_id: string;
  run_id: string;
  state: RunStatus;
  progress: { done: number; total: number; percent: number };
  error_message: string | null;
}

export async function historicalStatus(db: Db, kitchenId: number, jobId: string): Promise<JobStatusView> {
  const row = await findHistoricalRun(db, kitchenId, jobId);
  const { progressDone: done, progressTotal: total } = row;
  const percent =
    total > 0 ? Math.min(100, Math.round((done / total) * 1000) / 10) : row.status === "success" ? 100 : 0;
  return {
    job_id: row.jobId ?? row.id,
    run_id: row.id,
    state: row.status as RunStatus,
    progress: { done, total, percent },
    error_message: row.errorMessage,
  };
}

/**
 * Resumes a failed historical run as a new run linked to it (retry_of), so the failure stays in the
 * history; the engine skips the days the failed run committed and counts only its own work.
 */
export async function resumeHistoricalSync(
  deps: SyncDeps,
  kitchenId: number,
  jobId: string,
): Promise<{ job_id: string }> {
  const { db } = deps;
  const row = await findHistoricalRun(db, kitchenId, jobId);
  const notResumable = () =>
    conflict("not_resumable", `Only a failed historical sync can be resumed; this one is ${row.status}`);
  if (row.status !== "failed") throw notResumable();
  const id = randomUUID();
  // The unique retry_of index: of two concurrent resumes only one inserts.
  const [created] = await db
    .insert(syncRuns)
    .values({
      id,
      kitchenId,
      kind: "historical",
      trigger: row.trigger,
      status: "queued",
      windowFrom: row.windowFrom,
      windowTo: row.windowTo,
      jobId: id,
      retryOf: row.id,
      queuedAt: deps.now(),
      progressDone: row.progressDone,
      progressTotal: row.progressTotal,
    })
    .onConflictDoNothing({ target: syncRuns.retryOf })
    .returning({ id: syncRuns.id });
  if (!created) throw conflict("not_resumable", "This historical sync has already been resumed");
  try {
    await withTimeout(
      enqueueHistoricalSync(deps.queues, {
        kitchenId,
        runId: id,
        retryOf: row.id,
        dateFrom: row.windowFrom,
        dateTo: row.windowTo,
      }),
      deps.redisTimeoutMs,
      "Redis (historical sync)",
    );
  } catch {
    return failUnqueued(db, id, deps.now());
  }
  return { job_id: id };
}
