import type { ConnectionOptions } from "bullmq";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { RedisConnection } from "./connection";

/** A connection to this deployment's Redis, whichever its mode: one server (Sentinel too) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** The per-use settings of a client; where Redis is comes from the RedisConnection. */
export interface RedisClientOptions {
  /** Retries of a command while reconnecting; null waits for ever (BullMQ workers need that). */
  maxRetriesPerRequest?: number | null;
  connectTimeout?: number;
  lazyConnect?: boolean;
}

/**
 * After a Sentinel failover the old master becomes a replica; a connection still open to it gets
 * READONLY for writes. Reconnecting asks the sentinels for the new master; 2 resends the command there.
 * (The sentinels also kill the demoted master's client connections. ioredis's `failoverDetector` would
 * notice sooner but is not used: a client closed with QUIT, as BullMQ closes its own, leaves its
 * sentinel subscriptions open, and the process never exits.)
 */
function reconnectOnReadonly(error: Error): 2 | false {
  return error.message.startsWith("READONLY") ? 2 : false;
}

function sentinelOptions(
  connection: Extract<RedisConnection, { mode: "sentinel" }>,
  options: RedisClientOptions,
) {
  return {
    sentinels: connection.sentinels,
    name: connection.name,
    ...(connection.password ? { password: connection.password } : {}),
    ...(connection.sentinelPassword ? { sentinelPassword: connection.sentinelPassword } : {}),
    reconnectOnError: reconnectOnReadonly,
    ...options,
  } satisfies RedisOptions;
}

function clusterOptions(
  connection: Extract<RedisConnection, { mode: "cluster" }>,
  { lazyConnect, ...options }: RedisClientOptions,
): ClusterOptions {
  return { lazyConnect, redisOptions: { password: connection.password, ...options } };
}

/**
 * The one way product code opens Redis (commands, locks, the rate limiter, pub/sub, health checks).
 * BullMQ's queues and workers take `bullmqConnection` instead, which uses the same settings.
 */
export function createRedisClient(
  connection: RedisConnection,
  options: RedisClientOptions = {},
): RedisClient {
  switch (connection.mode) {
    case "single":
      return new Redis(connection.url, options);
    case "sentinel":
      return new Redis(sentinelOptions(connection, options));
    case "cluster":
      return new Cluster(connection.nodes, clusterOptions(connection, options));
  }
}

export interface BullmqConnection {
  /** The `connection` option of a Queue or Worker. */
  connection: ConnectionOptions;
  /** Closes what BullMQ leaves open (a Cluster client it was handed); call after the queue/worker closed. */
  close(): Promise<void>;
}

/**
 * BullMQ opens (and closes) its own connections from options, except on a Cluster: it cannot build
 * one from options, so it is given a client, which `close()` ends.
 */
export function bullmqConnection(
  connection: RedisConnection,
  options: RedisClientOptions = {},
): BullmqConnection {
  switch (connection.mode) {
    case "single":
      return { connection: { url: connection.url, ...options }, close: async () => undefined };
    case "sentinel":
      return { connection: sentinelOptions(connection, options), close: async () => undefined };
    case "cluster": {
      const client = new Cluster(connection.nodes, clusterOptions(connection, options));
      return { connection: client, close: async () => client.disconnect() };
    }
  }
}

/**
 * The `prefix` of a queue's Queue and Worker objects. BullMQ's scripts touch many keys of a queue at
 * once, which on a Cluster must share a slot: there the prefix is a hash tag naming the queue, so each
 * queue's keys live together (and different queues may live on different nodes). On one Redis it is
 * the configured prefix unchanged, so existing deployments keep their keys.
 */
export function bullmqPrefix(connection: RedisConnection, prefix: string, queueName: string): string {
  return connection.mode === "cluster" ? `{${prefix}:${queueName}}` : prefix;
}

/**
 * GET of many keys: one MGET on a single Redis; one GET per key on a Cluster, where an MGET over keys
 * of different slots is refused (CROSSSLOT). ioredis sends them together and routes each to its node.
 */
export async function getMany(redis: RedisClient, keys: readonly string[]): Promise<Array<string | null>> {
  if (keys.length === 0) return [];
  if (redis.isCluster) return Promise.all(keys.map((key) => redis.get(key)));
  return redis.mget([...keys]);
}

/** A new connection with the same settings (e.g. for a subscriber, which can do nothing else). */
export function duplicateClient(client: RedisClient): RedisClient {
  return client instanceof Cluster ? client.duplicate() : client.duplicate();
}
