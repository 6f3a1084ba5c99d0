import type { RedisClient } from "../redis/clients";
import type { CountableQueue } from "./queue-gauge";

/** The depths the fleet view trends: "waiting" includes prioritized jobs (both wait for a worker). */
export const DEPTH_STATES = ["waiting", "active", "delayed", "failed"] as const;
export type QueueDepth = Record<(typeof DEPTH_STATES)[number], number>;

export interface QueueDepthSample {
  at: string;
  queues: Record<string, QueueDepth>;
}

/** An hour of samples at the reconciler's one-a-minute pace: enough for a trend, a few KB of Redis. */
export const QUEUE_DEPTH_SAMPLES = 60;

export function queueDepthsKey(prefix: string): string {
  return `${prefix}:fleet:queue-depths`;
}

export async function readQueueDepths(queues: CountableQueue[]): Promise<Record<string, QueueDepth>> {
  const counts = await Promise.all(
    queues.map((queue) => queue.getJobCounts("waiting", "prioritized", "active", "delayed", "failed")),
  );
  return Object.fromEntries(
    queues.map((queue, i) => {
      const c = counts[i] ?? {};
      return [
        queue.name,
        {
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
        },
      ];
    }),
  );
}

/**
 * Appends the current depths to a capped list in Redis. The reconciler calls it once per pass, and one
 * replica at a time holds the pass, so the series has one sample a minute however many workers run.
 * Sampling on a schedule (rather than when someone opens the page) gives a trend without gaps.
 */
export async function sampleQueueDepths(
  redis: RedisClient,
  prefix: string,
  queues: CountableQueue[],
  now: Date,
): Promise<QueueDepthSample> {
  const sample: QueueDepthSample = { at: now.toISOString(), queues: await readQueueDepths(queues) };
  const key = queueDepthsKey(prefix);
  await redis
    .multi()
    .lpush(key, JSON.stringify(sample))
    .ltrim(key, 0, QUEUE_DEPTH_SAMPLES - 1)
    .exec();
  return sample;
}

/** The samples, oldest first; entries that do not parse (another version's) are skipped. */
export async function readQueueDepthSamples(redis: RedisClient, prefix: string): Promise<QueueDepthSample[]> {
  const raw = await redis.lrange(queueDepthsKey(prefix), 0, QUEUE_DEPTH_SAMPLES - 1);
  const samples: QueueDepthSample[] = [];
  for (const entry of raw.reverse()) {
    try {
      const parsed = JSON.parse(entry) as QueueDepthSample;
      if (typeof parsed.at === "string" && typeof parsed.queues === "object") samples.push(parsed);
    } catch {
      // skipped
    }
  }
  return samples;
}
