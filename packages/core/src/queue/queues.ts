import { type JobsOptions, Queue } from "bullmq";
import type { Config } from "../config";
import { bullmqConnection, bullmqPrefix } from "../redis/clients";
import { type RedisConnection, toRedisConnection } from "../redis/connection";
import { type FrequentSyncJobData, type HistoricalSyncJobData, QUEUE_NAMES } from "./names";

export interface QueueSet {
  frequent: Queue<FrequentSyncJobData>;
  historical: Queue<HistoricalSyncJobData>;
  close(): Promise<void>;
}

/** Retry policy stamped on every job when it is added (BullMQ reads it from the job, not the worker). */
export interface JobRetryPolicy {
  attempts: number;
  backoffMs: number;
}

export interface CreateQueuesOptions {
  /** Where Redis is (`config.redis`); a redis:// URL is short for a single Redis. */
  redis: RedisConnection | string;
  prefix: string;
  /** Defaults to the config defaults (3 attempts, 10 s base back-off). */
  retry?: JobRetryPolicy;
}

const DEFAULT_RETRY: JobRetryPolicy = { attempts: 3, backoffMs: 10_000 };

// Half of each back-off is random so replicas retrying a shared Newbook outage spread out.
const BACKOFF_JITTER = 0.5;

/** Finished jobs kept for Bull Board; older ones are trimmed so Redis stays small. */
const RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

export function jobOptionsFor(retry: JobRetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: "exponential", delay: retry.backoffMs, jitter: BACKOFF_JITTER },
    ...RETENTION,
  };
}

export function retryPolicyFromConfig(config: Config): JobRetryPolicy {
  return { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS };
}

export function createQueues(opts: CreateQueuesOptions): QueueSet {
  const defaultJobOptions = jobOptionsFor(opts.retry ?? DEFAULT_RETRY);
  const redis = toRedisConnection(opts.redis);
  const { connection, close } = bullmqConnection(redis);
  const optionsFor = (name: string) => ({
    connection,
    prefix: bullmqPrefix(redis, opts.prefix, name),
    defaultJobOptions,
  });
  const frequent = new Queue<FrequentSyncJobData>(QUEUE_NAMES.frequent, optionsFor(QUEUE_NAMES.frequent));
  const historical = new Queue<HistoricalSyncJobData>(
    QUEUE_NAMES.historical,
    optionsFor(QUEUE_NAMES.historical),
  );
  return {
    frequent,
    historical,
    async close() {
      await Promise.all([frequent.close(), historical.close()]);
      await close();
    },
  };
}
