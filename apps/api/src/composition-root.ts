import { randomBytes } from "node:crypto";
import {
  type Config,
  encryptionKeysFromConfig,
  type KitchenEventHub,
  type Logger,
  type QueueSet,
  type RedisClient,
  rateLimiterFromConfig,
  ScheduleOwner,
  SecretBox,
  type SlotSource,
  scheduleOptionsFromConfig,
} from "@occ/core";
import type { Db } from "@occ/db";
import type { AppDeps } from "./deps";
import { createAuthenticator } from "./http/auth";
import type { Authenticator } from "./http/route";
import type { StalenessContext } from "./services/frequent-sync-settings";
import { LoginLimiter } from "./services/login-limiter";
import { NewbookProbePool } from "./services/newbook-probe-pool";
import { KitchenScheduler } from "./services/schedule";
import { createTokenService, type TokenService } from "./services/tokens";
import { withTimeout } from "./services/with-timeout";

/** The app's wired-up collaborators, built once per createApp and handed to every route module. */
export interface AppServices {
  config: Config;
  db: Db;
  redis: RedisClient;
  queues: QueueSet;
  logger: Logger;
  events: KitchenEventHub;
  now: () => Date;
  redisTimeoutMs: number;
  tokens: TokenService;
  box: SecretBox;
  limiter: LoginLimiter;
  scheduler: KitchenScheduler;
  auth: Authenticator;
  /** The per-credential Newbook budget shared with the workers (used by the connection test). */
  newbookLimiter: SlotSource;
  /** Worker threads that run "Test connection" off the event loop. */
  probePool: NewbookProbePool;
  /** Signs the Bull Board session cookie: BULL_BOARD_SECRET, else random per process. */
  boardSecret: string;
  staleness(hasConnection: boolean): StalenessContext;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 2_000;

export function buildServices(deps: AppDeps): AppServices {
  const { config } = deps;
  const jwtSecret = deps.jwtSecret ?? config.JWT_SECRET;
  const encryptionKey = deps.encryptionKey ?? encryptionKeysFromConfig(config);
  if (!jwtSecret || !encryptionKey)
    throw new Error("JWT_SECRET and ENCRYPTION_KEY are required (set them or pass jwtSecret/encryptionKey)");
  const { logger } = deps;
  const now = deps.now ?? (() => new Date());
  const redisTimeoutMs = deps.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const db = deps.db.db;
  const tokens = createTokenService(jwtSecret, config.JWT_TTL_SECONDS);
  return {
    config,
    db,
    redis: deps.redis,
    queues: deps.queues,
    logger,
    events: deps.events,
    now,
    redisTimeoutMs,
    tokens,
    box: new SecretBox(encryptionKey),
    limiter: new LoginLimiter(deps.redis, `${config.QUEUE_PREFIX}:api`, logger, deps.loginLimits),
    scheduler: new KitchenScheduler(
      new ScheduleOwner({
        db,
        queues: deps.queues,
        options: scheduleOptionsFromConfig(config),
        now,
        redisCall: (call) => withTimeout(call, redisTimeoutMs, "Redis (job scheduler)"),
      }),
      logger,
    ),
    auth: createAuthenticator(db, tokens),
    newbookLimiter: rateLimiterFromConfig(config, deps.redis),
    probePool: new NewbookProbePool(),
    boardSecret: config.BULL_BOARD_SECRET ?? randomBytes(32).toString("hex"),
    staleness: (hasConnection) => ({
      now: now(),
      minuteMs: config.SYNC_MINUTE_MS,
      backoffAfterFailures: config.BACKOFF_AFTER_FAILURES,
      hasConnection,
    }),
  };
}
