import type { AddressInfo } from "node:net";
import {
  type Config,
  createLogger,
  createQueues,
  createRedisClient,
  databasePoolSize,
  duplicateClient,
  KitchenEventHub,
  type Logger,
  type RedisClient,
  type RedisConnection,
  retryPolicyFromConfig,
  toRedisConnection,
} from "@occ/core";
import { createDb, type DbHandle, migrate } from "@occ/db";
import { executeAdminCommand, resolveDataDir } from "./admin-cli";
import { startAdminEndpoint } from "./admin-endpoint";
import { createApp } from "./app";
import type { AppDeps } from "./deps";
import { ensureFirstAdmin } from "./services/users";

export { createApp } from "./app";
export type * from "./contract";
export type { AppDeps } from "./deps";

export interface StartApiOptions {
  logger?: Logger;
  /** An open database; otherwise one is opened from the config (DATABASE_URL or PGlite in DATA_DIR) and migrated. */
  db?: DbHandle;
  jwtSecret?: string;
  /** One key or the rotation list (newest first). */
  encryptionKey?: string | string[];
  uiDistDir?: string;
  port?: number;
  host?: string;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Redis client for request-time calls: fail fast (requests time-box Redis anyway) and never crash on errors. */
export function createApiRedis(target: RedisConnection | string, logger: Logger): RedisClient {
  const redis = createRedisClient(toRedisConnection(target), {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  });
  let lastLogged = 0;
  redis.on("error", (error: Error) => {
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger.warn("redis connection error", { error: error.message });
  });
  return redis;
}

/** Opens what the API needs, creates the first admin if there is nobody yet, and listens. */
export async function startApi(config: Config, opts: StartApiOptions = {}): Promise<RunningApi> {
  const logger =
    opts.logger ?? createLogger({ service: "api", level: config.LOG_LEVEL, format: config.logFormat });
  const ownsDb = !opts.db;
  const db =
    opts.db ??
    (await createDb({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolMax: databasePoolSize(config, "api"),
      onConnectionError: (error) => logger.warn("database connection lost", { error: error.message }),
    }));
  if (ownsDb) await migrate(db);
  const redis = createApiRedis(config.redis, logger);
  const queues = createQueues({
    redis: config.redis,
    prefix: config.QUEUE_PREFIX,
    retry: retryPolicyFromConfig(config),
  });
  for (const queue of [queues.frequent, queues.historical])
    queue.on("error", (error) => logger.debug("queue connection error", { error: error.message }));

  const admin = await ensureFirstAdmin(db.db, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
  if (admin) logger.info("first admin created", { email: admin.email });

  const events = new KitchenEventHub({
    connect: () => duplicateClient(redis),
    prefix: config.QUEUE_PREFIX,
    logger,
  });
  const deps: AppDeps = {
    config,
    db,
    redis,
    queues,
    logger,
    events,
    jwtSecret: opts.jwtSecret,
    encryptionKey: opts.encryptionKey,
    uiDistDir: opts.uiDistDir,
  };
  const app = createApp(deps);
  const server = app.listen(opts.port ?? config.API_PORT, opts.host ?? config.API_HOST);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = (opts.host ?? config.API_HOST) === "0.0.0.0" ? "127.0.0.1" : (opts.host ?? config.API_HOST);
  const url = `http://${host}:${port}`;
  logger.info("api listening", { url });
  // PGlite is single-process: the admin CLI reaches the embedded database through this process.
  const adminEndpoint =
    db.kind === "pglite" && !config.DATA_DIR.startsWith("memory://")
      ? await startAdminEndpoint({
          dataDir: resolveDataDir(config.DATA_DIR),
          run: ({ command, values }) => executeAdminCommand({ db: db.db, config, logger }, command, values),
          logger,
        })
      : null;

  return {
    url,
    async close() {
      // Stop accepting, let in-flight requests finish (bounded), then release connections. Event
      // streams never finish on their own: ending them sends their pages to another replica.
      await adminEndpoint?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await events.close();
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      await closed;
      clearTimeout(deadline);
      await queues.close().catch(() => undefined);
      redis.disconnect();
      if (ownsDb) await db.close();
    },
  };
}
