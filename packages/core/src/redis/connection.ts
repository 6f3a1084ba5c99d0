import { z } from "zod";

/** One Redis address of a Sentinel or Cluster list. */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where this deployment's Redis is and how to reach it; exactly one mode, from the configuration
 * (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES). Every process opens Redis through it.
 */
export type RedisConnection =
  | { mode: "single"; url: string }
  | {
      mode: "sentinel";
      sentinels: RedisNode[];
      /** The master group's name as the sentinels know it (`sentinel monitor <name> …`). */
      name: string;
      /** Password of the Redis servers (master and replicas). */
      password?: string;
      /** Password of the sentinels themselves, when they require one. */
      sentinelPassword?: string;
    }
  | { mode: "cluster"; nodes: RedisNode[]; password?: string };

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

// host:port, or [ipv6]:port.
const NODE_PATTERN = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

function parseNode(entry: string): RedisNode | null {
  const match = NODE_PATTERN.exec(entry);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: (match[1] ?? match[2])!, port };
}

/**
 * A comma-separated list of `host:port` entries (IPv6 as `[addr]:port`), for REDIS_SENTINELS and
 * REDIS_CLUSTER_NODES; unset or blank is `undefined`. The message names the entry that is wrong.
 */
export function redisNodeList(example: string) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return undefined;
      const entries = value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const nodes: RedisNode[] = [];
      for (const entry of entries) {
        const node = parseNode(entry);
        if (!node) {
          ctx.addIssue({
            code: "custom",
            message: `must be comma-separated host:port entries (e.g. "${example}"); "${entry}" is not one`,
          });
          return z.NEVER;
        }
        nodes.push(node);
      }
      return nodes;
    });
}

export function describeRedis(connection: RedisConnection): string {
  const list = (nodes: RedisNode[]) => nodes.map((n) => `${n.host}:${n.port}`).join(",");
  switch (connection.mode) {
    case "single": {
      // The URL may carry a password: only its host and port are shown.
      const url = new URL(connection.url);
      return `redis ${url.hostname}:${url.port || "6379"}`;
    }
    case "sentinel":
      return `sentinel master "${connection.name}" via ${list(connection.sentinels)}`;
    case "cluster":
      return `cluster via ${list(connection.nodes)}`;
  }
}

/** Where a caller may also pass a plain redis:// URL (tests, benchmarks): that is a single Redis. */
export function toRedisConnection(target: RedisConnection | string): RedisConnection {
  return typeof target === "string" ? { mode: "single", url: target } : target;
}
