import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

export interface RedisPrefix {
  redis: Redis;
  /** Unique to this run, for QUEUE_PREFIX: every key the run creates starts with `${prefix}:`. */
  prefix: string;
  /** Deletes every key under the prefix and disconnects. */
  close(): Promise<void>;
}

/** A key prefix of one test or benchmark run on the shared Redis, so runs never see each other's keys. */
export function openRedisPrefix(redisUrl: string, name: string): RedisPrefix {
  const redis = new Redis(redisUrl);
  const prefix = `${name}-${process.pid}-${randomBytes(4).toString("hex")}`;
  return {
    redis,
    prefix,
    close: async () => {
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
    },
  };
}

/**
 * Deletes every key under `${prefix}:` and says how many, walking with SCAN (never KEYS, which blocks the
 * shared Redis) — what a Redis restart without persistence does to one test's or run's keys.
 */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  let removed = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) removed += await redis.del(...keys);
  } while (cursor !== "0");
  return removed;
}
