import { z } from "zod";
import { DEFAULT_REDIS_URL, type RedisConnection, type RedisNode, redisNodeList } from "./redis/connection";

const boolFromEnv = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const encryptionKey = z.string().refine((v) => Buffer.from(v, "base64").length === 32, {
  message: "must be 32 random bytes encoded in base64 (e.g. `openssl rand -base64 32`)",
});
/** An operator's webhook (Slack-compatible): unset, or an http(s) URL. */
const webhookUrl = optionalString.pipe(
  z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
);
const commaList = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Every environment variable the processes read. The README lists the same set. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LOG_LEVEL: z.enum(["error", "warn", "info", "http", "verbose", "debug", "silly"]).default("info"),
    LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
        .optional(),
    ),
    /**
     * Connections each process's PostgreSQL pool may open. Unset: 10 for the API, and for a worker one per
     * job slot up to 20 (see databasePoolSize).
     */
    DATABASE_POOL_MAX: int(1, 1_000).optional(),
    DATA_DIR: z.string().min(1).default("./.data"),
    /** A single Redis (the default mode). Unset: redis://127.0.0.1:6379, unless Sentinel or Cluster is set. */
    REDIS_URL: optionalString.pipe(
      z
        .string()
        .regex(/^rediss?:\/\//, "must be a redis:// URL")
        .optional(),
    ),
    /** Sentinel mode: the sentinels' addresses; they name the current master of REDIS_SENTINEL_NAME. */
    REDIS_SENTINELS: redisNodeList("10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379"),
    REDIS_SENTINEL_NAME: optionalString,
    REDIS_SENTINEL_PASSWORD: optionalString,
    /** Cluster mode: some of the cluster's nodes (the rest are discovered). */
    REDIS_CLUSTER_NODES: redisNodeList("10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379"),
    /** Password of the Redis servers in Sentinel or Cluster mode (REDIS_URL carries its own). */
    REDIS_PASSWORD: optionalString,
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/, "letters, digits, _ and - only")
      .default("occ"),
    API_HOST: z.string().min(1).default("0.0.0.0"),
    API_PORT: int(0, 65535).default(3000),
    METRICS_PORT: int(0, 65535).default(9464),
    /** Kitchens with series of their own in a worker's /metrics (the ones needing most attention). */
    METRICS_KITCHEN_SERIES_LIMIT: int(0, 10_000).default(100),
    /** The worker's metrics server is internal: loopback unless a container publishes it (compose: 0.0.0.0). */
    METRICS_HOST: z.string().min(1).default("127.0.0.1"),
    /**
     * Express "trust proxy": which peers may set X-Forwarded-For (comma-separated addresses, CIDRs or
     * loopback/linklocal/uniquelocal, or a hop count). Empty: none, the socket address is the client.
     */
    TRUST_PROXY: z
      .string()
      .default("")
      .transform((v, ctx) => {
        const trimmed = v.trim();
        if (trimmed === "") return false as const;
        if (/^\d+$/.test(trimmed)) return Number(trimmed);
        const list = commaList(trimmed);
        if (list.some((entry) => !/^[0-9a-fA-F.:/]+$|^(loopback|linklocal|uniquelocal)$/.test(entry))) {
          ctx.addIssue({
            code: "custom",
            message:
              "must be a hop count or comma-separated addresses, CIDRs, loopback, linklocal, uniquelocal",
          });
          return z.NEVER;
        }
        return list;
      }),
    JWT_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
    JWT_TTL_SECONDS: int(60, 7 * 24 * 3600).default(8 * 3600),
    ENCRYPTION_KEY: optionalString.pipe(encryptionKey.optional()),
    /** Key rotation: comma-separated keys, newest first; encrypts with the first, decrypts with any. */
    ENCRYPTION_KEYS: optionalString
      .transform((v) => (v === undefined ? undefined : commaList(v)))
      .pipe(z.array(encryptionKey).min(1).optional()),
    /**
     * Signs the Bull Board session cookie (its own key, not derived from JWT_SECRET). Unset: a random key
     * per API process, so with several replicas set it, or a cookie works only where it was issued.
     */
    BULL_BOARD_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
    ADMIN_EMAIL: optionalString.pipe(z.email("must be an e-mail address").optional()),
    ADMIN_PASSWORD: optionalString.pipe(z.string().min(10, "must be at least 10 characters").optional()),
    CORS_ORIGINS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    SYNC_MINUTE_MS: int(10, 3_600_000).default(60_000),
    /**
     * A next-days sync reads the whole window at least this often (in SYNC_MINUTE_MS minutes); the runs
     * between ask Newbook only for the bookings changed since (see sync/change-feed.ts). 0: every run reads
     * the whole window.
     */
    SYNC_FULL_READ_MINUTES: int(0, 1_440).default(30),
    WORKER_CONCURRENCY: int(1, 256).default(32),
    HISTORICAL_CONCURRENCY: int(1, 16).default(1),
    JOB_ATTEMPTS: int(1, 20).default(3),
    JOB_BACKOFF_MS: int(10, 3_600_000).default(10_000),
    /** BullMQ job lock: a crashed worker's job is handed to another replica after about this long. */
    JOB_LOCK_MS: int(1_000, 600_000).default(30_000),
    NEWBOOK_RATE_LIMIT: int(1, 10_000).default(90),
    NEWBOOK_RATE_WINDOW_MS: int(100, 3_600_000).default(60_000),
    NEWBOOK_TIMEOUT_MS: int(100, 600_000).default(30_000),
    NEWBOOK_CONNECT_TIMEOUT_MS: int(100, 120_000).default(5_000),
    NEWBOOK_MAX_RETRIES: int(0, 10).default(4),
    NEWBOOK_RETRY_BASE_MS: int(1, 60_000).default(500),
    NEWBOOK_RETRY_MAX_TOTAL_MS: int(100, 600_000).default(60_000),
    /**
     * Hosts a Newbook connection may point at: exact names (optionally host:port), "*.suffix" for
     * subdomains, "*" for any public host. Only exact entries may resolve to private addresses.
     */
    NEWBOOK_ALLOWED_HOSTS: z
      .string()
      .default("api.newbook.cloud,testapi.newbook.cloud")
      .transform((v) => commaList(v.toLowerCase())),
    /** Largest Newbook answer read, in bytes; a bigger one fails the request without being buffered. */
    NEWBOOK_MAX_RESPONSE_BYTES: int(1024, 256 * 1024 * 1024).default(8 * 1024 * 1024),
    /** "Test connection" as a whole (every call and retry) ends after this long. */
    NEWBOOK_TEST_TIMEOUT_MS: int(100, 120_000).default(8_000),
    ALERT_WEBHOOK_URL: webhookUrl,
    /**
     * Gets a message for each sync whose change set touches the kitchen's today or tomorrow with at least
     * the kitchen's change_webhook_min_bookings bookings; sent by a queue job after the commit.
     */
    CHANGE_WEBHOOK_URL: webhookUrl,
    ALERT_FAILURE_THRESHOLD: int(1, 100).default(5),
    BACKOFF_AFTER_FAILURES: int(1, 100).default(3),
    OUTAGE_MIN_KITCHENS: int(2, 100_000).default(5),
    OUTAGE_WINDOW_MINUTES: int(1, 1_440).default(10),
    SLOW_SYNC_MS: int(100, 3_600_000).default(60_000),
    SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(30_000),
    /** Guests' personal data (names, dietary needs, notes) of bookings departed longer ago is purged. */
    GUEST_DATA_RETENTION_DAYS: int(1, 3650).default(30),
    /** Bookings departed longer ago are deleted (the daily figures they produced stay). */
    BOOKING_RETENTION_DAYS: int(1, 3650).default(90),
    /** Sync runs older than this are rolled up into daily aggregates and deleted; 8+ keeps the 7-day charts exact. */
    SYNC_RUN_RETENTION_DAYS: int(8, 3650).default(14),
    /** Resolved alerts older than this are deleted. */
    ALERT_RETENTION_DAYS: int(1, 3650).default(90),
    /** How often the retention job runs (one worker at a time). */
    RETENTION_INTERVAL_MS: int(1_000, 7 * 24 * 3_600_000).default(3_600_000),
    UI_DIST_DIR: optionalString,
    DEMO: optionalString.pipe(boolFromEnv.optional()),
  })
  .superRefine((env, ctx) => {
    checkRedisMode(env, ctx);
    if (env.NODE_ENV !== "production") return;
    if (!env.JWT_SECRET)
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "is required when NODE_ENV=production" });
    if (!env.ENCRYPTION_KEY && !env.ENCRYPTION_KEYS)
      ctx.addIssue({
        code: "custom",
        path: ["ENCRYPTION_KEY"],
        message: "is required when NODE_ENV=production (or ENCRYPTION_KEYS)",
      });
  });

type RedisEnv = {
  REDIS_URL?: string;
  REDIS_SENTINELS?: RedisNode[];
  REDIS_SENTINEL_NAME?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_CLUSTER_NODES?: RedisNode[];
  REDIS_PASSWORD?: string;
};

/** One Redis mode at a time, and each mode's settings only with that mode. */
function checkRedisMode(env: RedisEnv, ctx: z.RefinementCtx): void {
  const problem = (variable: keyof RedisEnv, message: string) =>
    ctx.addIssue({ code: "custom", path: [variable], message });
  if (env.REDIS_SENTINELS && env.REDIS_CLUSTER_NODES)
    problem(
      "REDIS_CLUSTER_NODES",
      "cannot be combined with REDIS_SENTINELS: set one of them (Cluster or Sentinel)",
    );
  const replaced = env.REDIS_SENTINELS
    ? "REDIS_SENTINELS"
    : env.REDIS_CLUSTER_NODES
      ? "REDIS_CLUSTER_NODES"
      : null;
  if (replaced && env.REDIS_URL)
    problem("REDIS_URL", `must be unset or empty when ${replaced} is set (that mode replaces it)`);
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME)
    problem(
      "REDIS_SENTINEL_NAME",
      "is required with REDIS_SENTINELS: the master group name the sentinels monitor (`sentinel monitor <name> …`)",
    );
  if (!env.REDIS_SENTINELS) {
    if (env.REDIS_SENTINEL_NAME)
      problem("REDIS_SENTINEL_NAME", "only applies with REDIS_SENTINELS, which is unset");
    if (env.REDIS_SENTINEL_PASSWORD)
      problem("REDIS_SENTINEL_PASSWORD", "only applies with REDIS_SENTINELS, which is unset");
  }
  if (env.REDIS_PASSWORD && !replaced)
    problem(
      "REDIS_PASSWORD",
      "only applies with REDIS_SENTINELS or REDIS_CLUSTER_NODES; with REDIS_URL put it in the URL (redis://:password@host:6379)",
    );
}

/** The validated Redis settings as one connection description (see packages/core/src/redis). */
function redisConnectionOf(env: RedisEnv): RedisConnection {
  const password = env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {};
  if (env.REDIS_SENTINELS)
    return {
      mode: "sentinel",
      sentinels: env.REDIS_SENTINELS,
      name: env.REDIS_SENTINEL_NAME!,
      ...password,
      ...(env.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {}),
    };
  if (env.REDIS_CLUSTER_NODES) return { mode: "cluster", nodes: env.REDIS_CLUSTER_NODES, ...password };
  return { mode: "single", url: env.REDIS_URL ?? DEFAULT_REDIS_URL };
}

export type Env = z.output<typeof envSchema>;
export type Config = Env & { logFormat: "json" | "pretty"; redis: RedisConnection };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates the environment; throws ConfigError naming each bad variable and what it expects. */
/**
 * A process's PostgreSQL pool: DATABASE_POOL_MAX, else 10 for the API and, for a worker, a connection per
 * job slot (frequent and historical) and two for its reconciler and maintenance jobs, at most
 * WORKER_POOL_DEFAULT_CAP. Jobs hold a connection only for their statements, but a changed window's write
 * is a transaction of several; with fewer connections than jobs, a burst of such writes (a fleet's first
 * pass) queues the other jobs' statements behind them: bench:scale's first pass over 10,000 kitchens
 * left a backlog of 310 jobs with 10 connections per worker and 143 with 35.
 */
export function databasePoolSize(config: Config, role: "api" | "worker"): number {
  if (config.DATABASE_POOL_MAX !== undefined) return config.DATABASE_POOL_MAX;
  if (role === "api") return 10;
  return Math.min(config.WORKER_CONCURRENCY + config.HISTORICAL_CONCURRENCY + 2, WORKER_POOL_DEFAULT_CAP);
}

/**
 * Four workers and two API replicas at their defaults stay within PostgreSQL's default max_connections
 * (100): 4 x 20 + 2 x 10. More, or bigger pools, need a larger max_connections (or a pooler).
 */
export const WORKER_POOL_DEFAULT_CAP = 20;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const value = env[name];
      // URLs may carry credentials (user:password@, a webhook's token in its path): never echoed either.
      const shown =
        value === undefined ? "unset" : /SECRET|KEY|PASSWORD|URL/.test(name) ? "set" : `"${value}"`;
      return `${name} (${shown}): ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const parsed = result.data;
  return {
    ...parsed,
    logFormat: parsed.LOG_FORMAT ?? (parsed.NODE_ENV === "production" ? "json" : "pretty"),
    redis: redisConnectionOf(parsed),
  };
}

/** For process entry points: one clear message and exit 1 instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Names of every variable the schema knows (the README and docker-compose.yml are checked against it). */
export const ENV_VARS: readonly string[] = Object.keys(envSchema.shape);
