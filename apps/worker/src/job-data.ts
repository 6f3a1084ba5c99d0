import { randomUUID } from "node:crypto";
import {
  claimRun,
  type FrequentSyncJobData,
  frequentSyncJobSchema,
  type HistoricalSyncJobData,
  historicalSyncJobSchema,
} from "@occ/core";
import { type Db, syncRuns } from "@occ/db";
import { type Job, UnrecoverableError } from "bullmq";
import { and, desc, eq, gte } from "drizzle-orm";
import { z } from "zod";

/** Job data comes from Redis, written by another process: checked before use; bad data never retries. */
function parse<T>(schema: z.ZodType<T>, job: Job): T {
  const result = schema.safeParse(job.data);
  if (!result.success) throw new UnrecoverableError(`Invalid job data: ${z.prettifyError(result.error)}`);
  return result.data;
}

/**
 * The run PostgreSQL already holds for this job, if any. Its runs were queued after the job was created,
 * so the kitchen's (kitchen_id, queued_at) index finds them without scanning the history.
 */
async function recordedRunOf(
  db: Db,
  job: Job<FrequentSyncJobData>,
  kitchenId: number,
): Promise<string | undefined> {
  if (!job.id) return undefined;
  const [run] = await db
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.kitchenId, kitchenId),
        gte(syncRuns.queuedAt, new Date(job.timestamp)),
        eq(syncRuns.jobId, job.id),
      ),
    )
    .orderBy(desc(syncRuns.queuedAt))
    .limit(1);
  return run?.id;
}

/**
 * Scheduled jobs carry no run id. One is generated on the first attempt and stored in the job, so its
 * retries (and a replica taking it over after a crash) continue the same sync_runs row. That write to
 * Redis can be lost (a Sentinel failover before it reached the replica): a job that comes back without
 * it continues the run PostgreSQL recorded for it, so one job never becomes two unrelated runs.
 */
export async function frequentJobData(
  db: Db,
  job: Job<FrequentSyncJobData>,
): Promise<FrequentSyncJobData & { runId: string }> {
  const data = parse(frequentSyncJobSchema, job);
  if (data.runId) return { ...data, runId: data.runId };
  const withRunId = { ...data, runId: (await recordedRunOf(db, job, data.kitchenId)) ?? randomUUID() };
  await job.updateData(withRunId);
  return withRunId;
}

export function historicalJobData(job: Job<HistoricalSyncJobData>): HistoricalSyncJobData {
  return parse(historicalSyncJobSchema, job);
}

/**
 * The run this attempt records into (core's claimRun): a job retried from Bull Board after its run
 * finished, or taken over after its worker died, becomes a new run linked to the old one. The new id is
 * stored in the job so its own retries continue that new run.
 */
export async function claimJobRun<T extends { runId: string; retryOf?: string }>(
  db: Db,
  job: Job,
  data: T,
): Promise<T & { retryOf?: string }> {
  const claimed = await claimRun(db, {
    runId: data.runId,
    takenOver: job.stalledCounter > 0,
    newRunId: randomUUID,
  });
  if (claimed.runId === data.runId) return data;
  const next = { ...data, runId: claimed.runId, retryOf: claimed.retryOf ?? undefined };
  await job.updateData(next);
  return next;
}
