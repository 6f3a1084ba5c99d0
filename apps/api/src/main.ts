import { randomBytes } from "node:crypto";
import { createLogger, generateEncryptionKey, loadConfigOrExit } from "@occ/core";
import { startApi } from "./index";

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ service: "api", level: config.LOG_LEVEL, format: config.logFormat });
  // Production refuses to start without them (config); development gets throwaway ones so it just runs.
  let jwtSecret = config.JWT_SECRET;
  let encryptionKey = config.ENCRYPTION_KEY;
  if (!jwtSecret || !encryptionKey) {
    logger.warn(
      "JWT_SECRET/ENCRYPTION_KEY not set: using ephemeral development values; tokens and saved Newbook " +
        "credentials will not survive a restart",
    );
    jwtSecret ??= randomBytes(32).toString("base64url");
    encryptionKey ??= generateEncryptionKey();
  }
  // One JSON line like every other log line (and like the worker's), so log pipelines see why it stopped.
  const api = await startApi(config, { logger, jwtSecret, encryptionKey }).catch((error: unknown) => {
    logger.error("api failed to start", { error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    api.close().then(
      () => {
        logger.info("shut down");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

void main();
