import { randomBytes } from "node:crypto";
import { type Cluster, Redis } from "ioredis";

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
 * shared Redis) — what a Redis restart without persistence does to one test's or run's keys. On a
 * Cluster every master is walked, and `{${prefix}…}` (the hash-tagged queue keys) too.
 */
export async function deleteKeysUnder(redis: Redis | Cluster, prefix: string): Promise<number> {
  if (redis instanceof Redis) return deleteMatching(redis, `${prefix}:*`, (keys) => redis.del(...keys));
  // A page of one node's keys may span slots, which one DEL must not: a DEL per key, routed by the client.
  const delEach = async (keys: string[]) =>
    (await Promise.all(keys.map((key) => redis.del(key)))).reduce((a, b) => a + b, 0);
  let removed = 0;
  for (const node of redis.nodes("master"))
    for (const pattern of [`${prefix}:*`, `{${prefix}:*`])
      removed += await deleteMatching(node, pattern, delEach);
  return removed;
}

async function deleteMatching(
  node: Redis,
  pattern: string,
  deleteKeys: (keys: string[]) => Promise<number>,
): Promise<number> {
  let removed = 0;
  let cursor = "0";
  do {
    const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) removed += await deleteKeys(keys);
  } while (cursor !== "0");
  return removed;
}
