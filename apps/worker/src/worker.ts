import { hostname } from "node:os";
import {
  Alerting,
  bullmqConnection,
  bullmqPrefix,
  type Config,
  createAlertNotifier,
  createLogger,
  createMetrics,
  createQueues,
  createRedisClient,
  databasePoolSize,
  describeRedis,
  kitchenEventPublisher,
  type Logger,
  NewbookAgentPool,
  OutageDetector,
  QUEUE_NAMES,
  rateLimiterFromConfig,
  registerKitchenGauges,
  registerQueueGauge,
  retryPolicyFromConfig,
  ScheduleOwner,
  scheduleOptionsFromConfig,
} from "@occ/core";
import { createDb, type DbHandle, migrate } from "@occ/db";
import { Worker } from "bullmq";
import { startChangeWebhook } from "./change-webhook";
import { KitchenLocks } from "./kitchen-locks";
import { startMetricsServer } from "./metrics-server";
import { frequentProcessor, historicalProcessor } from "./processors";
import { Reconciler } from "./reconciler";
import { startRetention } from "./retention";
import type { RunDeps } from "./run-job";

export interface StartWorkerOptions {
  logger?: Logger;
  /** An already open (and migrated) database, e.g. the all-in-one process's PGlite; left open on close. */
  db?: DbHandle;
}

export interface RunningWorker {
  /** The port /metrics, /healthz and /readyz listen on (useful with METRICS_PORT=0). */
  metricsPort: number;
  /** The address it is bound to (METRICS_HOST). */
  metricsHost: string;
  close(): Promise<void>;
}

/**
 * The per-kitchen lock expires well before BullMQ declares a crashed worker's job stalled (after
 * JOB_LOCK_MS), so the replica that takes the job over finds the kitchen free.
 */
export function kitchenLockTtlMs(config: Pick<Config, "JOB_LOCK_MS">): number {
  return Math.floor(config.JOB_LOCK_MS / 3);
}

/** "host:pid": which machine (or container) and which process, as Redis client names allow (no spaces). */
export function workerName(): string {
  return `${hostname().replace(/[^\w.-]/g, "_")}:${process.pid}`;
}

export async function startWorker(config: Config, options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const logger =
    options.logger ?? createLogger({ service: "worker", level: config.LOG_LEVEL, format: config.logFormat });
  const dbHandle =
    options.db ??
    (await createDb({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolMax: databasePoolSize(config, "worker"),
      onConnectionError: (error) => logger.warn("database connection lost", { error: error.message }),
    }));
  if (!options.db) await migrate(dbHandle);
  const db = dbHandle.db;

  const redis = createRedisClient(config.redis, { maxRetriesPerRequest: 3 });
  redis.on("error", (error: Error) => logger.warn("redis connection error", { error: error.message }));
  const queues = createQueues({
    redis: config.redis,
    prefix: config.QUEUE_PREFIX,
    retry: retryPolicyFromConfig(config),
  });
  const schedule = new ScheduleOwner({ db, queues, options: scheduleOptionsFromConfig(config) });
  const metrics = createMetrics({ labels: { service: "worker" } });
  registerQueueGauge(metrics.registry, [queues.frequent, queues.historical]);
  registerKitchenGauges(metrics.registry, db, { seriesLimit: config.METRICS_KITCHEN_SERIES_LIMIT });
  const notifier = createAlertNotifier({ logger, webhookUrl: config.ALERT_WEBHOOK_URL });
  const alerting = new Alerting(db, notifier);
  const outage = new OutageDetector(db, notifier, {
    minKitchens: config.OUTAGE_MIN_KITCHENS,
    windowMs: config.OUTAGE_WINDOW_MINUTES * config.SYNC_MINUTE_MS,
  });
  const locks = new KitchenLocks({
    redis,
    prefix: config.QUEUE_PREFIX,
    ttlMs: kitchenLockTtlMs(config),
    logger,
  });

  const agentPool = new NewbookAgentPool();
  const changes = startChangeWebhook({ db, logger, config });
  const deps: RunDeps = {
    db,
    queues,
    locks,
    sync: { db, logger, config, agentPool },
    rateLimiter: rateLimiterFromConfig(config, redis),
    metrics,
    alerting,
    outage,
    schedule,
    thresholds: { failureThreshold: config.ALERT_FAILURE_THRESHOLD, slowSyncMs: config.SLOW_SYNC_MS },
    logger,
    events: kitchenEventPublisher(redis, config.QUEUE_PREFIX, logger),
    changes,
  };

  const workerConnection = bullmqConnection(config.redis, { maxRetriesPerRequest: null });
  const workerOptions = (queueName: string) => ({
    // BullMQ's worker list (the fleet view) shows this name, and each job keeps it as processedBy.
    name: workerName(),
    connection: workerConnection.connection,
    prefix: bullmqPrefix(config.redis, config.QUEUE_PREFIX, queueName),
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_LOCK_MS,
    // A job whose worker died twice is more likely the cause than the victim.
    maxStalledCount: 2,
  });
  const workers = [
    new Worker(QUEUE_NAMES.frequent, frequentProcessor(deps), {
      ...workerOptions(QUEUE_NAMES.frequent),
      concurrency: config.WORKER_CONCURRENCY,
    }),
    new Worker(QUEUE_NAMES.historical, historicalProcessor(deps), {
      ...workerOptions(QUEUE_NAMES.historical),
      concurrency: config.HISTORICAL_CONCURRENCY,
    }),
  ];
  for (const worker of workers) {
    worker.on("error", (error) =>
      logger.error("queue worker error", { queue: worker.name, error: error.message }),
    );
  }

  const reconciler = new Reconciler({
    db,
    queues,
    redis,
    prefix: config.QUEUE_PREFIX,
    schedule,
    jobLockMs: config.JOB_LOCK_MS,
    alerting,
    logger,
  });
  reconciler.start();
  const retention = await startRetention({ db, logger, config });

  const server = await startMetricsServer({
    port: config.METRICS_PORT,
    // Internal by default (127.0.0.1); a container that publishes it sets METRICS_HOST=0.0.0.0.
    host: config.METRICS_HOST,
    registry: metrics.registry,
    readiness: {
      database: () => dbHandle.ping(),
      redis: async () => {
        await redis.ping();
      },
    },
  });
  logger.info("worker started", {
    metrics_port: server.port,
    metrics_host: server.host,
    queue_prefix: config.QUEUE_PREFIX,
    redis: describeRedis(config.redis),
    concurrency: config.WORKER_CONCURRENCY,
    historical_concurrency: config.HISTORICAL_CONCURRENCY,
    minute_ms: config.SYNC_MINUTE_MS,
  });

  return {
    metricsPort: server.port,
    metricsHost: server.host,
    async close() {
      logger.info("worker stopping: no new jobs, waiting for running syncs", {
        timeout_ms: config.SHUTDOWN_TIMEOUT_MS,
      });
      await reconciler.stop();
      await retention.close();
      const drained = Promise.all(workers.map((worker) => worker.close())).then(() => true);
      const timedOut = new Promise<false>((resolve) =>
        setTimeout(() => resolve(false), config.SHUTDOWN_TIMEOUT_MS).unref(),
      );
      if (!(await Promise.race([drained, timedOut]))) {
        // The unfinished jobs go back to the queue through BullMQ's stalled-job check.
        logger.warn("running syncs did not finish in time; leaving them to another replica");
        await Promise.all(workers.map((worker) => worker.close(true)));
        await locks.releaseAll();
      }
      await Promise.allSettled([queues.close(), server.close(), workerConnection.close(), changes.close()]);
      agentPool.destroy();
      redis.disconnect();
      if (!options.db) await dbHandle.close();
      logger.info("worker stopped");
    },
  };
}
