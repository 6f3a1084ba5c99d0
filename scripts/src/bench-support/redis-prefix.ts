import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

export interface RedisPrefix {
  redis: Redis;
  /** Unique to this run, for QUEUE_PREFIX: every key the run creates starts with `${prefix}:`. */
  prefix: string;
  /** Deletes every key under the prefix and disconnects. */
  close(): Promise<void>;
}

/** A key prefix of one benchmark run on the shared Redis, so runs never see each other's queues or limits. */
export function openRedisPrefix(redisUrl: string, name: string): RedisPrefix {
  const redis = new Redis(redisUrl);
  const prefix = `${name}-${process.pid}-${randomBytes(4).toString("hex")}`;
  return {
    redis,
    prefix,
    close: async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}
