import { enqueueHistoricalSync } from "@occ/core";
import type { Db, RunStatus } from "@occ/db";
import { syncRuns, users } from "@occ/db";
import { and, desc, eq, or } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { ApiError, conflict } from "../../errors";
import { assertKitchenConnected, enqueueRun, queuedRun, type RunRow, type SyncDeps } from "./queued-run";
import { iso } from "./run-history";

/** Who asks for a run and for which kitchen (its name goes on the job, for Bull Board). */
export interface RunRequester {
  kitchen: { id: number; name: string };
  userId: number;
}

export async function startHistoricalSync(
  deps: SyncDeps,
  { kitchen, userId }: RunRequester,
  range: { date_from: string; date_to: string },
): Promise<{ job_id: string; run_id: string }> {
  const { db } = deps;
  const kitchenId = kitchen.id;
  await assertKitchenConnected(db, kitchenId);
  const run = queuedRun(kitchenId, deps.now(), () => ({
    kind: "historical",
    trigger: "historical",
    windowFrom: range.date_from,
    windowTo: range.date_to,
    requestedBy: userId,
  }));
  await db.insert(syncRuns).values(run);
  const jobId = await enqueueRun(deps, run.id, "historical sync", () =>
    enqueueHistoricalSync(
      deps.queues,
      { kitchenId, runId: run.id, dateFrom: range.date_from, dateTo: range.date_to },
      kitchen.name,
    ),
  );
  await db.update(syncRuns).set({ jobId }).where(eq(syncRuns.id, run.id));
  return { job_id: jobId, run_id: run.id };
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

function jobStatusView(row: RunRow): JobStatusView {
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

export async function historicalStatus(db: Db, kitchenId: number, jobId: string): Promise<JobStatusView> {
  return jobStatusView(await findHistoricalRun(db, kitchenId, jobId));
}

export interface HistoricalSyncView extends JobStatusView {
  date_from: string;
  date_to: string;
  requested_by: { id: number; email: string } | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The failed run this one resumes, and the run that resumed this one (then it cannot be resumed again). */
  retry_of: string | null;
  resumed_by: string | null;
}

/**
 * The kitchen's historical syncs, newest first, as PostgreSQL holds them: every tab, device and admin
 * looking at the kitchen sees the same list (nothing is remembered in the browser).
 */
export async function listHistoricalSyncs(
  db: Db,
  kitchenId: number,
  limit: number,
): Promise<{ syncs: HistoricalSyncView[] }> {
  const resumes = alias(syncRuns, "resumes");
  const rows = await db
    .select({ run: syncRuns, userId: users.id, email: users.email, resumedBy: resumes.id })
    .from(syncRuns)
    .leftJoin(users, eq(users.id, syncRuns.requestedBy))
    .leftJoin(resumes, eq(resumes.retryOf, syncRuns.id))
    .where(and(eq(syncRuns.kitchenId, kitchenId), eq(syncRuns.kind, "historical")))
    .orderBy(desc(syncRuns.queuedAt), desc(syncRuns.id))
    .limit(limit);
  return {
    syncs: rows.map(({ run, userId, email, resumedBy }) => ({
      ...jobStatusView(run),
      date_from: run.windowFrom,
      date_to: run.windowTo,
      requested_by: userId !== null && email !== null ? { id: userId, email } : null,
      queued_at: run.queuedAt.toISOString(),
      started_at: iso(run.startedAt),
      finished_at: iso(run.finishedAt),
      retry_of: run.retryOf,
      resumed_by: resumedBy,
    })),
  };
}

/**
 * Resumes a failed historical run as a new run linked to it (retry_of), so the failure stays in the
 * history; the engine skips the days the failed run committed and counts only its own work.
 */
export async function resumeHistoricalSync(
  deps: SyncDeps,
  { kitchen, userId }: RunRequester,
  jobId: string,
): Promise<{ job_id: string }> {
  const { db } = deps;
  const kitchenId = kitchen.id;
  const row = await findHistoricalRun(db, kitchenId, jobId);
  const notResumable = () =>
    conflict("not_resumable", `Only a failed historical sync can be resumed; this one is ${row.status}`);
  if (row.status !== "failed") throw notResumable();
  const run = queuedRun(kitchenId, deps.now(), (id) => ({
    kind: "historical",
    trigger: row.trigger,
    windowFrom: row.windowFrom,
    windowTo: row.windowTo,
    jobId: id,
    retryOf: row.id,
    progressDone: row.progressDone,
    progressTotal: row.progressTotal,
    requestedBy: userId,
  }));
  // The unique retry_of index: of two concurrent resumes only one inserts.
  const [created] = await db
    .insert(syncRuns)
    .values(run)
    .onConflictDoNothing({ target: syncRuns.retryOf })
    .returning({ id: syncRuns.id });
  if (!created) throw conflict("not_resumable", "This historical sync has already been resumed");
  await enqueueRun(deps, run.id, "historical sync", () =>
    enqueueHistoricalSync(
      deps.queues,
      { kitchenId, runId: run.id, retryOf: row.id, dateFrom: row.windowFrom, dateTo: row.windowTo },
      kitchen.name,
    ),
  );
  return { job_id: run.id };
}
