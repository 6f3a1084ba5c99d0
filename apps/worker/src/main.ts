import { createLogger, loadConfigOrExit } from "@occ/core";
import { startWorker } from "./worker";

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ service: "worker", level: config.LOG_LEVEL, format: config.logFormat });
  const worker = await startWorker(config, { logger }).catch((error: unknown) => {
    logger.error("worker failed to start", { error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutdown requested", { signal });
    worker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

void main();
