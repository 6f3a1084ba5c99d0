import { randomUUID } from "node:crypto";
import type { FrequentSyncJobData, HistoricalSyncJobData } from "@occ/core";
import { type Job, UnrecoverableError } from "bullmq";
import { z } from "zod";

const kitchenId = z.number().int().positive();
const localDate = z.iso.date();

const frequentSchema = z.object({
  kitchenId,
  trigger: z.enum(["schedule", "sync_now"]),
  runId: z.uuid().optional(),
});

const historicalSchema = z.object({ kitchenId, runId: z.uuid(), dateFrom: localDate, dateTo: localDate });

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
  const data = parse(frequentSchema, job);
  if (data.runId) return { ...data, runId: data.runId };
  const withRunId = { ...data, runId: randomUUID() };
  await job.updateData(withRunId);
  return withRunId;
}

export function historicalJobData(job: Job<HistoricalSyncJobData>): HistoricalSyncJobData {
  return parse(historicalSchema, job);
}
