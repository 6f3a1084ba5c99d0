import { randomBytes } from "node:crypto";
import { createTestDatabase, deleteKeysUnder, type TestDatabase } from "@occ/testkit";

import { Redis } from "ioredis";
import { runAdminCommand } from "./admin-cli";
import { ApiError } from "./errors";
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
});
