import type { Config, KitchenEventHub, Logger, QueueSet, RedisClient } from "@occ/core";
import type { DbHandle } from "@occ/db";
import type { LoginLimits } from "./services/login-limiter";

/** Everything the HTTP app needs from the outside; createApp opens nothing and listens on nothing. */
export interface AppDeps {
  config: Config;
  db: DbHandle;
  redis: RedisClient;
  queues: QueueSet;
  logger: Logger;
  /** Sync events from the workers, fanned out to this replica's open event streams. */
  events: KitchenEventHub;
  now?: () => Date;
  /** Override config.JWT_SECRET (the all-in-one start generates one into DATA_DIR in development). */
  jwtSecret?: string;
  /** Override config.ENCRYPTION_KEY(S) (base64, 32 bytes; a list is newest first), same reason. */
  encryptionKey?: string | string[];
  /** Where the admin UI build lives; defaults to UI_DIST_DIR or apps/admin-ui/dist. */
  uiDistDir?: string;
  /** Time box for Redis calls made inside a request (schedule upserts, queue adds). */
  redisTimeoutMs?: number;
  /** Login attempt limits (defaults: 50 per IP and 10 failures per account per 15 minutes). */
  loginLimits?: LoginLimits;
}
