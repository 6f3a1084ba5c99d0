import {
  bullmqConnection,
  bullmqPrefix,
  type Config,
  type Logger,
  type RetentionPolicy,
  retentionPolicyFromConfig,
  runRetention,
} from "@occ/core";
import type { Db } from "@occ/db";
import { Queue, Worker } from "bullmq";

/** Housekeeping jobs, apart from the sync queues so a long retention pass never takes a sync slot. */
export const MAINTENANCE_QUEUE = "maintenance";
export const RETENTION_SCHEDULER_ID = "retention";

export interface RetentionDeps {
  db: Db;
  logger: Logger;
  config: Pick<
    Config,
    | "redis"
    | "QUEUE_PREFIX"
    | "RETENTION_INTERVAL_MS"
    | "GUEST_DATA_RETENTION_DAYS"
    | "BOOKING_RETENTION_DAYS"
    | "SYNC_RUN_RETENTION_DAYS"
    | "ALERT_RETENTION_DAYS"
  >;
  now?: () => Date;
  /** Tests shrink the batches to exercise them. */
  policy?: Partial<RetentionPolicy>;
}

export interface RunningRetention {
  queue: Queue;
  close(): Promise<void>;
}

/**
 * Every replica upserts the same job scheduler (idempotent) and consumes the queue one job at a time:
 * BullMQ hands each scheduled run to exactly one replica, so retention never runs twice at once and
 * never inside a request. A failed pass is simply done again at the next interval.
 */
export async function startRetention(deps: RetentionDeps): Promise<RunningRetention> {
  const { config, logger } = deps;
  const bullmq = bullmqConnection(config.redis, { maxRetriesPerRequest: null });
  const { connection } = bullmq;
  const prefix = bullmqPrefix(config.redis, config.QUEUE_PREFIX, MAINTENANCE_QUEUE);
  const queue = new Queue(MAINTENANCE_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  });
  await queue.upsertJobScheduler(
    RETENTION_SCHEDULER_ID,
    { every: config.RETENTION_INTERVAL_MS },
    { name: "retention" },
  );
  const policy = { ...retentionPolicyFromConfig(config), ...deps.policy };
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async () => {
      const started = Date.now();
      const result = await runRetention(deps.db, policy, (deps.now ?? (() => new Date()))());
      // Counts only: what was removed is personal data and never logged.
      logger.info("retention pass done", { ...result, duration_ms: Date.now() - started });
      return result;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on("failed", (_job, error) => logger.warn("retention pass failed", { error: error.message }));
  worker.on("error", (error) => logger.error("retention worker error", { error: error.message }));
  return {
    queue,
    async close() {
      await worker.close();
      await queue.close();
      await bullmq.close();
    },
  };
}
