import {
  type FrequentSyncJobData,
  type HistoricalSyncJobData,
  runFrequentSync,
  runHistoricalSync,
} from "@occ/core";
import type { Job } from "bullmq";
import { claimJobRun, frequentJobData, historicalJobData } from "./job-data";
import { type RunDeps, type RunSummary, runJob } from "./run-job";

/** Scheduled runs and "sync now": the next-days sync of one kitchen. */
export function frequentProcessor(deps: RunDeps): (job: Job<FrequentSyncJobData>) => Promise<RunSummary> {
  return async (job) => {
    const data = await claimJobRun(deps.db, job, await frequentJobData(job));
    const { kitchenId, runId, trigger, retryOf } = data;
    return runJob(deps, { kind: "frequent", kitchenId, runId, trigger, job }, (ctx, attempt) =>
      runFrequentSync(ctx, { kitchenId, runId, retryOf, trigger, jobId: job.id, attempt }),
    );
  };
}

/** A manager's backfill of any date range, reporting days done as job progress for the UI's bar. */
export function historicalProcessor(deps: RunDeps): (job: Job<HistoricalSyncJobData>) => Promise<RunSummary> {
  return async (job) => {
    const { kitchenId, runId, retryOf, dateFrom, dateTo } = await claimJobRun(
      deps.db,
      job,
      historicalJobData(job),
    );
    const trigger = "historical";
    return runJob(deps, { kind: "historical", kitchenId, runId, trigger, job }, async (ctx, attempt) => {
      const result = await runHistoricalSync(ctx, {
        kitchenId,
        runId,
        retryOf,
        dateFrom,
        dateTo,
        trigger,
        jobId: job.id,
        attempt,
        onProgress: (done, total) =>
          job.updateProgress({ done, total, percent: total === 0 ? 100 : Math.round((done / total) * 100) }),
      });
      return { ...result, window: { from: result.dateFrom, to: result.dateTo } };
    });
  };
}
