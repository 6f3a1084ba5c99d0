import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { createLogger, loadConfig } from "@occ/core";
import { bookings, kitchens } from "@occ/db";
import { createTestDatabase, deleteKeysUnder, type TestDatabase, until } from "@occ/testkit";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "../test/harness";
import { MAINTENANCE_QUEUE, RETENTION_SCHEDULER_ID, startRetention } from "./retention";

describe("scheduled retention", () => {
  let db: TestDatabase;
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = `test-retention-${process.pid}-${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    db = await createTestDatabase("occ_retention_job");
  });

  afterAll(async () => {
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    await db?.drop();
  });

  it("purges departed guests' personal data on its own schedule, logging counts only", async () => {
    const [kitchen] = await db.handle.db
      .insert(kitchens)
      .values({ name: "K", timezone: "Europe/London" })
      .returning({ id: kitchens.id });
    await db.handle.db.insert(bookings).values({
      kitchenId: kitchen!.id,
      newbookId: "1",
      status: "Departed",
      arrivalDate: "2020-01-01",
      departureDate: "2020-01-03",
      contentHash: "x",
      guestName: "Priya Patel",
      guests: [{ name: "Priya Patel", dietary: ["Halal"], vip: false }],
    });
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
    const logger = createLogger({ service: "worker", level: "info", format: "json", stream });
    for (const transport of [...logger.transports])
      if (transport.constructor.name === "Console") logger.remove(transport);
    const config = loadConfig({
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      RETENTION_INTERVAL_MS: "1000",
      // Old enough to purge, not old enough to delete: the row stays for the assertion.
      BOOKING_RETENTION_DAYS: "3650",
    });
    const retention = await startRetention({ db: db.handle.db, logger, config });
    try {
      const schedulers = await retention.queue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, Number(s.every)])).toEqual([[RETENTION_SCHEDULER_ID, 1000]]);
      expect(retention.queue.name).toBe(MAINTENANCE_QUEUE);
      const row = await until("the scheduled pass to purge the booking", async () => {
        const [b] = await db.handle.db.select().from(bookings).where(eq(bookings.newbookId, "1"));
        return b?.personalDataPurgedAt ? b : null;
      });
      expect([row.guestName, row.guests]).toEqual([null, []]);
      await until("the pass to be logged", async () => lines.some((l) => l.includes("retention pass done")));
      const log = lines.join("");
      expect(log).toContain('"guestDataPurged":1');
      expect(log).not.toContain("Priya");
      expect(log).not.toContain("Halal");
    } finally {
      await retention.close();
    }
  }, 60_000);
});
