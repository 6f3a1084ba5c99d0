import { randomBytes } from "node:crypto";
import { generateEncryptionKey, SecretBox } from "@occ/core";
import { createDb, newbookConnections } from "@occ/db";
import { createTestDatabase, deleteKeysUnder, type TestDatabase } from "@occ/testkit";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { runAdminCommand } from "./admin-cli";
import { ApiError } from "./errors";
import { saveConnection } from "./services/connection";
import { TEST_REDIS_URL } from "./testing/harness";

describe("admin CLI", () => {
  let db: TestDatabase;
  const saved = { ...process.env };
  const prefix = `test-cli-${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    db = await createTestDatabase("occ_api_cli");
    Object.assign(process.env, {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      NODE_ENV: "test",
    });
  });
  afterAll(async () => {
    process.env = saved;
    const redis = new Redis(TEST_REDIS_URL);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    await db.drop();
  });

  it("manages kitchens and users with the API's validation", async () => {
    const kitchen = (await runAdminCommand("create-kitchen", {
      name: "Pier",
      timezone: "Europe/Lisbon",
    })) as { id: number };
    expect(kitchen).toMatchObject({ name: "Pier", timezone: "Europe/Lisbon" });
    const user = await runAdminCommand("create-user", {
      email: "pier@example.com",
      password: "pier-password-1",
      role: "manager",
      "kitchen-id": String(kitchen.id),
    });
    expect(user).toMatchObject({ email: "pier@example.com", kitchen_id: kitchen.id });
    expect(await runAdminCommand("list-users", { "kitchen-id": String(kitchen.id) })).toEqual({
      users: [user],
    });
    await expect(runAdminCommand("create-kitchen", { name: "X", timezone: "Mars/Base" })).rejects.toThrow(
      /timezone must be an IANA time zone/,
    );
    await expect(runAdminCommand("frobnicate", {})).rejects.toBeInstanceOf(ApiError);
    expect(await runAdminCommand("delete-kitchen", { id: String(kitchen.id) })).toEqual({
      deleted: true,
      schedule_pending: false,
    });
    expect(await runAdminCommand("list-kitchens", {})).toEqual({ kitchens: [] });
  });

  it("re-encrypts every stored secret under the newest key (ENCRYPTION_KEYS, newest first)", async () => {
    const [oldKey, newKey] = [generateEncryptionKey(), generateEncryptionKey()];
    const kitchen = (await runAdminCommand("create-kitchen", { name: "Rotated", timezone: "UTC" })) as {
      id: number;
    };
    const handle = await createDb({ databaseUrl: db.url });
    try {
      await saveConnection(
        handle.db,
        new SecretBox(oldKey),
        kitchen.id,
        {
          base_url: "https://api.newbook.cloud/rest",
          region: "eu",
          username: "u",
          password: "old-pass-1",
          api_key: "old-key-1",
        },
        ["api.newbook.cloud"],
      );
      process.env.ENCRYPTION_KEYS = `${newKey},${oldKey}`;
      expect(await runAdminCommand("reencrypt-secrets", {})).toEqual({ connections: 1, reencrypted: 1 });
      expect(await runAdminCommand("reencrypt-secrets", {})).toEqual({ connections: 1, reencrypted: 0 });
      const [row] = await handle.db
        .select()
        .from(newbookConnections)
        .where(eq(newbookConnections.kitchenId, kitchen.id));
      // The new key alone now reads them; the old one can leave ENCRYPTION_KEYS.
      const newest = new SecretBox(newKey);
      expect(newest.decrypt(row!.passwordEnc)).toBe("old-pass-1");
      expect(newest.decrypt(row!.apiKeyEnc)).toBe("old-key-1");
      expect(() => new SecretBox(oldKey).decrypt(row!.passwordEnc)).toThrow();
    } finally {
      delete process.env.ENCRYPTION_KEYS;
      await handle.close();
    }
  });
});
