import { z } from "zod";

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
    DATA_DIR: z.string().min(1).default("./.data"),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// URL")
      .default("redis://127.0.0.1:6379"),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/, "letters, digits, _ and - only")
      .default("occ"),
    API_HOST: z.string().min(1).default("0.0.0.0"),
    API_PORT: int(0, 65535).default(3000),
    METRICS_PORT: int(0, 65535).default(9464),
    JWT_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
    JWT_TTL_SECONDS: int(60, 7 * 24 * 3600).default(8 * 3600),
    ENCRYPTION_KEY: optionalString.pipe(encryptionKey.optional()),
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
    WORKER_CONCURRENCY: int(1, 256).default(8),
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
    ALERT_WEBHOOK_URL: optionalString.pipe(z.url("must be an http(s) URL").optional()),
    ALERT_FAILURE_THRESHOLD: int(1, 100).default(5),
    BACKOFF_AFTER_FAILURES: int(1, 100).default(3),
    OUTAGE_MIN_KITCHENS: int(2, 100_000).default(5),
    OUTAGE_WINDOW_MINUTES: int(1, 1_440).default(10),
    SLOW_SYNC_MS: int(100, 3_600_000).default(60_000),
    SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(30_000),
    UI_DIST_DIR: optionalString,
    DEMO: optionalString.pipe(boolFromEnv.optional()),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    for (const key of ["JWT_SECRET", "ENCRYPTION_KEY"] as const) {
      if (!env[key])
        ctx.addIssue({ code: "custom", path: [key], message: "is required when NODE_ENV=production" });
    }
  });

export type Env = z.output<typeof envSchema>;
export type Config = Env & { logFormat: "json" | "pretty" };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates the environment; throws ConfigError naming each bad variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const value = env[name];
      const shown = value === undefined ? "unset" : /SECRET|KEY|PASSWORD/.test(name) ? "set" : `"${value}"`;
      return `${name} (${shown}): ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const parsed = result.data;
  return {
    ...parsed,
    logFormat: parsed.LOG_FORMAT ?? (parsed.NODE_ENV === "production" ? "json" : "pretty"),
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
