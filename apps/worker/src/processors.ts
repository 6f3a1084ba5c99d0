import {
  type FrequentSyncJobData,
  type HistoricalSyncJobData,
  type RunKind,
  runFrequentSync,
  runHistoricalSync,
} from "@occ/core";
import type { Job } from "bullmq";
import { claimJobRun, frequentJobData, historicalJobData } from "./job-data";
import { type RunDeps, type RunSummary, runJob } from "./run-job";

/**
 * Claiming the job's run is the first database write: when PostgreSQL is unreachable it fails before
 * runJob can count anything, so the attempt is counted (and logged) here, then BullMQ retries it.
 */
async function claimCounted<T>(deps: RunDeps, kind: RunKind, job: Job, claim: () => Promise<T>): Promise<T> {
  try {
    return await claim();
  } catch (error) {
    const attempt = job.attemptsMade + 1;
    const outcome = attempt >= (job.opts.attempts ?? 1) ? "failed" : "retry";
    deps.metrics.syncRuns.inc({ kind, outcome });
    deps.logger.warn("sync could not claim its run", {
      job_id: job.id,
      queue: job.queueName,
      kind,
      attempt,
      outcome,
      error: String(error),
    });
    throw error;
  }
}

/** Scheduled runs and "sync now": the next-days sync of one kitchen. */
export function frequentProcessor(
  deps: RunDeps,
): (job: Job<FrequentSyncJobData>, token?: string) => Promise<RunSummary> {
  return async (job, token) => {
    const data = await claimCounted(deps, "frequent", job, async () =>
      claimJobRun(deps.db, job, await frequentJobData(deps.db, job)),
    );
    const { kitchenId, runId, trigger, retryOf, requestsNeeded } = data;
    const request = {
      kind: "frequent",
      kitchenId,
      runId,
      retryOf,
      trigger,
      job,
      token,
      requestsNeeded,
    } as const;
    return runJob(deps, request, (ctx, attempt) =>
      runFrequentSync(ctx, { kitchenId, runId, retryOf, trigger, jobId: job.id, attempt }),
    );
  };
}

/** A manager's backfill of any date range, reporting days done as job progress for the UI's bar. */
export function historicalProcessor(
  deps: RunDeps,
): (job: Job<HistoricalSyncJobData>, token?: string) => Promise<RunSummary> {
  return async (job, token) => {
    const { kitchenId, runId, retryOf, dateFrom, dateTo, requestsNeeded } = await claimCounted(
      deps,
      "historical",
      job,
      () => claimJobRun(deps.db, job, historicalJobData(job)),
    );
    const trigger = "historical";
    return runJob(
      deps,
      { kind: "historical", kitchenId, runId, retryOf, trigger, job, token, requestsNeeded },
      async (ctx, attempt) => {
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
            job.updateProgress({
              done,
              total,
              percent: total === 0 ? 100 : Math.round((done / total) * 100),
            }),
        });
        return { ...result, window: { from: result.dateFrom, to: result.dateTo } };
      },
    );
  };
}
