import { randomUUID } from "node:crypto";
import {
  claimRun,
  type FrequentSyncJobData,
  frequentSyncJobSchema,
  type HistoricalSyncJobData,
  historicalSyncJobSchema,
} from "@occ/core";
import type { Db } from "@occ/db";
import { type Job, UnrecoverableError } from "bullmq";
import { z } from "zod";

/** Job data comes from Redis, written by another process: checked before use; bad data never retries. */
function parse<T>(schema: z.ZodType<T>, job: Job): T {
  const result = schema.safeParse(job.data);
  if (!result.success) throw new UnrecoverableError(`Invalid job data: ${z.prettifyError(result.error)}`);
  return result.data;
}

/**
 * Scheduled jobs carry no run id. One is generated on the first attempt and stored in the job, so its
 * retries (and a replica taking it over after a crash) continue the same sync_runs row.
 */
export async function frequentJobData(
  job: Job<FrequentSyncJobData>,
): Promise<FrequentSyncJobData & { runId: string }> {
  const data = parse(frequentSyncJobSchema, job);
  if (data.runId) return { ...data, runId: data.runId };
  const withRunId = { ...data, runId: randomUUID() };
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
