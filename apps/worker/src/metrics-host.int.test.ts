import { randomBytes } from "node:crypto";
import { generateEncryptionKey, loadConfig } from "@occ/core";
import { createTestDatabase } from "@occ/testkit";
import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "../test/harness";
import { startWorker } from "./worker";

describe("worker metrics server address", () => {
  it("binds to loopback unless METRICS_HOST says otherwise", async () => {
    const db = await createTestDatabase("occ_worker_metrics_host");
    const prefix = `test-metrics-host-${randomBytes(4).toString("hex")}`;
    const env = {
      NODE_ENV: "test",
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: generateEncryptionKey(),
      METRICS_PORT: "0",
      SHUTDOWN_TIMEOUT_MS: "1000",
    };
    const loopback = await startWorker(loadConfig(env));
    try {
      expect(loopback.metricsHost).toBe("127.0.0.1");
    } finally {
      await loopback.close();
    }
    const everywhere = await startWorker(loadConfig({ ...env, METRICS_HOST: "0.0.0.0" }));
    try {
      expect(everywhere.metricsHost).toBe("0.0.0.0");
    } finally {
      await everywhere.close();
      await db.drop();
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
