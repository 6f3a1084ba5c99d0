import type { AppServices } from "../composition-root";
import { API_PATHS } from "../contract";
import { defineRoute, type Route } from "../http/route";
import {
  historicalBodySchema,
  historicalResponseSchema,
  historicalSyncsQuerySchema,
  historicalSyncsSchema,
  jobIdParamsSchema,
  jobStatusSchema,
  resumeResponseSchema,
  runIdParamsSchema,
  syncNowResponseSchema,
  syncRunSchema,
  syncRunsQuerySchema,
  syncRunsResponseSchema,
  syncStatsQuerySchema,
  syncStatsSchema,
} from "../schemas/sync";
import {
  historicalStatus,
  listHistoricalSyncs,
  resumeHistoricalSync,
  startHistoricalSync,
} from "../services/sync-runs/historical-sync";
import type { SyncDeps } from "../services/sync-runs/queued-run";
import { getRun, listRuns } from "../services/sync-runs/run-history";
import { syncNow } from "../services/sync-runs/sync-now";
import { syncStats } from "../services/sync-stats";

/** What starting and reading syncs needs from the app's services (sync routes and connection saves). */
export function syncDepsOf(s: AppServices): SyncDeps {
  return {
    db: s.db,
    queues: s.queues,
    redis: s.redis,
    prefix: s.config.QUEUE_PREFIX,
    now: s.now,
    redisTimeoutMs: s.redisTimeoutMs,
  };
}

export function syncRoutes(s: AppServices): Route[] {
  const deps = syncDepsOf(s);
  const queueErrors = { 409: "No Newbook connection", 503: "The job queue is unreachable" };
  return [
    defineRoute({
      method: "post",
      path: API_PATHS.syncNow,
      summary: "Sync now: queue a frequent sync (or return the one already queued or running)",
      tag: "sync",
      access: "kitchen",
      status: 202,
      response: syncNowResponseSchema,
      errors: queueErrors,
      async handler({ kitchen, kitchenId, req }) {
        const result = await syncNow(deps, kitchen);
        req.log.info("sync now", { kitchen_id: kitchenId, ...result });
        return result;
      },
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.syncRuns,
      summary: "Sync history, newest first (cursor: next_before)",
      tag: "sync",
      access: "kitchen",
      query: syncRunsQuerySchema,
      response: syncRunsResponseSchema,
      handler: ({ kitchenId, query }) => listRuns(s.db, kitchenId, query),
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.syncRun,
      summary: "One sync run",
      tag: "sync",
      access: "kitchen",
      params: runIdParamsSchema,
      response: syncRunSchema,
      handler: ({ kitchenId, params }) => getRun(s.db, kitchenId, params.run_id),
    }),
    defineRoute({
      method: "post",
      path: API_PATHS.historicalSync,
      summary: "Queue a historical sync of any date range (at most 731 days)",
      tag: "sync",
      access: "kitchen",
      body: historicalBodySchema,
      status: 202,
      response: historicalResponseSchema,
      errors: queueErrors,
      async handler({ kitchen, kitchenId, user, body, req }) {
        const result = await startHistoricalSync(deps, { kitchen, userId: user.id }, body);
        req.log.info("historical sync queued", { kitchen_id: kitchenId, ...result, ...body });
        return result;
      },
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.historicalSyncs,
      summary: "The kitchen's historical syncs, newest first: range, state, progress, who started it",
      tag: "sync",
      access: "kitchen",
      query: historicalSyncsQuerySchema,
      response: historicalSyncsSchema,
      handler: ({ kitchenId, query }) => listHistoricalSyncs(s.db, kitchenId, query.limit),
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.historicalSyncJob,
      summary: "Progress of a historical sync",
      tag: "sync",
      access: "kitchen",
      params: jobIdParamsSchema,
      response: jobStatusSchema,
      handler: ({ kitchenId, params }) => historicalStatus(s.db, kitchenId, params.job_id),
    }),
    defineRoute({
      method: "post",
      path: API_PATHS.historicalSyncResume,
      summary: "Resume a failed historical sync from its first unfinished chunk",
      tag: "sync",
      access: "kitchen",
      params: jobIdParamsSchema,
      status: 202,
      response: resumeResponseSchema,
      errors: { 409: "The sync is not failed", 503: "The job queue is unreachable" },
      async handler({ kitchen, kitchenId, user, params, req }) {
        const result = await resumeHistoricalSync(deps, { kitchen, userId: user.id }, params.job_id);
        req.log.info("historical sync resumed", { kitchen_id: kitchenId, ...result });
        return result;
      },
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.syncStats,
      summary: "Sync success rate, durations and a time series (hourly for 24h, daily for 7d)",
      tag: "sync",
      access: "kitchen",
      query: syncStatsQuerySchema,
      response: syncStatsSchema,
      handler: ({ kitchenId, query }) => syncStats(s.db, kitchenId, query.period ?? "24h", s.now()),
    }),
  ];
}
