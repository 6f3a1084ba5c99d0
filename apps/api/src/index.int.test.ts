import { randomBytes } from "node:crypto";
import { createLogger, generateEncryptionKey, loadConfig } from "@occ/core";
import { createTestDatabase, type TestDatabase } from "@occ/testkit";

import { startApi } from "./index";
import { LogCapture, TEST_REDIS_URL } from "./testing/harness";

describe("startApi", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("occ_api_start");
  });
  afterAll(() => db.drop());

  it("creates the first admin from the environment, serves, and closes cleanly", async () => {
    const logs = new LogCapture();
    const logger = createLogger({ service: "api", format: "json", stream: logs.stream });
    for (const t of [...logger.transports]) if (t.constructor.name === "Console") logger.remove(t);
    const config = loadConfig({
      NODE_ENV: "test",
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: `test-start-${randomBytes(4).toString("hex")}`,
      ADMIN_EMAIL: "root@example.com",
      ADMIN_PASSWORD: "root-password-123",
    });
    const api = await startApi(config, {
      logger,
      port: 0,
      host: "127.0.0.1",
      jwtSecret: randomBytes(32).toString("hex"),
      encryptionKey: generateEncryptionKey(),
    });
    try {
      const login = await fetch(`${api.url}/api/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: "root@example.com", password: "root-password-123" }),
      });
      expect(login.status).toBe(200);
      const { access_token: token } = (await login.json()) as { access_token: string };
      const me = await fetch(`${api.url}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
      expect(((await me.json()) as { user: { role: string } }).user.role).toBe("admin");
      expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
      expect(logs.text()).not.toContain("root-password-123");
    } finally {
      await api.close();
    }
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  });
});
