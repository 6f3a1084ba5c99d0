import { type FrequentSyncJobData, runFrequentSync } from "@occ/core";
import type { Job } from "bullmq";
import { frequentJobData } from "./job-data";
import { type RunDeps, type RunSummary, runJob } from "./run-job";

/** Scheduled runs and "sync now": the next-days sync of one kitchen. */
export function frequentProcessor(deps: RunDeps): (job: Job<FrequentSyncJobData>) => Promise<RunSummary> {
  return async (job) => {
    const data = await frequentJobData(job);
    const request = {
      kind: "frequent" as const,
      kitchenId: data.kitchenId,
      runId: data.runId,
      trigger: data.trigger,
      job,
    };
    return runJob(deps, request, (ctx, attempt) =>
      runFrequentSync(ctx, {
        kitchenId: data.kitchenId,
        runId: data.runId,
        trigger: data.trigger,
        jobId: job.id,
        attempt,
      }),
    );
  };
}
