import { randomUUID } from "node:crypto";
import { kitchens, newbookFrequentSyncSettings, syncRuns } from "@occ/db";
import { createTestDatabase, seedKitchenWithConnection, type TestDatabase } from "@occ/testkit";
import { eq } from "drizzle-orm";
import { generateEncryptionKey } from "../crypto";
import { SyncConfigurationError } from "./errors";
import { startFrequentRun } from "./status";
import { frequentWindow } from "./window";

/**
 * A next-days run starts with one statement that marks it running and reads its kitchen's setup, its
 * window taken by PostgreSQL in the kitchen's zone: the same dates the API's frequentWindow gives.
 */

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(() => testDb?.drop());

const kitchenIn = async (timezone: string, daysAhead = 7) =>
  (
    await seedKitchenWithConnection(testDb.handle.db, {
      timezone,
      property: { username: "u", password: "p", apiKey: "k", region: "eu" },
      baseUrl: "http://127.0.0.1:9/rest",
      encryptionKey: generateEncryptionKey(),
      settings: { daysAhead },
    })
  ).kitchenId;

const runRow = async (id: string) =>
  (await testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, id)))[0];

test.each([
  // Auckland is already tomorrow when UTC is still today; Honolulu is behind.
  ["Pacific/Auckland", 7, "2025-03-10T22:00:00Z"],
  ["Pacific/Honolulu", 1, "2025-03-11T05:00:00Z"],
  // Europe/London's clock changes: spring forward, summer time, after falling back.
  ["Europe/London", 7, "2025-03-30T00:30:00Z"],
  ["Europe/London", 7, "2025-03-29T23:59:00Z"],
  ["Europe/London", 7, "2025-10-25T23:30:00Z"],
  ["Europe/London", 7, "2025-10-26T23:30:00Z"],
  // days_ahead + 1 dates across a month end.
  ["UTC", 30, "2025-02-10T12:00:00Z"],
  ["Pacific/Kiritimati", 3, "2026-12-01T10:00:00Z"],
] as const)(
  "in %s with %i days ahead at %s: the window frequentWindow gives",
  async (zone, daysAhead, at) => {
    const kitchenId = await kitchenIn(zone, daysAhead);
    const now = new Date(at);
    const runId = randomUUID();
    const { setup, today } = await startFrequentRun(testDb.handle.db, {
      runId,
      kitchenId,
      trigger: "test",
      now,
    });
    const expected = frequentWindow(zone, daysAhead, now);
    expect(today).toBe(expected.today);
    expect(setup).toMatchObject({ kitchenId, timezone: zone, daysAhead, coveredWindow: null });
    expect(setup.connection?.kitchenId).toBe(kitchenId);
    const run = await runRow(runId);
    expect(run).toMatchObject({
      kitchenId,
      kind: "frequent",
      trigger: "test",
      status: "running",
      windowFrom: expected.from,
      windowTo: expected.to,
      attempt: 1,
      jobId: null,
      retryOf: null,
    });
    expect(run?.startedAt?.toISOString()).toBe(now.toISOString());
    const [settings] = await testDb.handle.db
      .select({ status: newbookFrequentSyncSettings.lastSyncStatus })
      .from(newbookFrequentSyncSettings)
      .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
    expect(settings?.status).toBe("running");
  },
);

test("a run queued by 'sync now' is started in place: its job id kept, its window and start set", async () => {
  const kitchenId = await kitchenIn("Europe/London");
  const runId = randomUUID();
  const queuedAt = new Date("2026-12-01T09:00:00Z");
  await testDb.handle.db.insert(syncRuns).values({
    id: runId,
    kitchenId,
    kind: "frequent",
    trigger: "sync_now",
    status: "queued",
    windowFrom: "2026-11-30",
    windowTo: "2026-12-07",
    jobId: "job-1",
    queuedAt,
  });
  const now = new Date("2026-12-01T09:00:05Z");
  await startFrequentRun(testDb.handle.db, { runId, kitchenId, trigger: "scheduled", now, attempt: 2 });
  expect(await runRow(runId)).toMatchObject({
    status: "running",
    trigger: "sync_now",
    jobId: "job-1",
    attempt: 2,
    windowFrom: "2026-12-01",
    windowTo: "2026-12-08",
    queuedAt,
    startedAt: now,
  });
});

test("the window's days ahead default to 7 when the kitchen has no sync settings yet", async () => {
  const kitchenId = await kitchenIn("UTC", 3);
  await testDb.handle.db
    .delete(newbookFrequentSyncSettings)
    .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
  const runId = randomUUID();
  const { setup } = await startFrequentRun(testDb.handle.db, {
    runId,
    kitchenId,
    trigger: "test",
    now: new Date("2026-12-01T12:00:00Z"),
  });
  expect(setup.daysAhead).toBe(7);
  expect(await runRow(runId)).toMatchObject({ windowFrom: "2026-12-01", windowTo: "2026-12-08" });
});

test("a kitchen that does not exist is a configuration error, and no run is recorded", async () => {
  const runId = randomUUID();
  const start = startFrequentRun(testDb.handle.db, {
    runId,
    kitchenId: 987_654,
    trigger: "test",
    now: new Date(),
  });
  await expect(start).rejects.toThrow(new SyncConfigurationError("Kitchen 987654 does not exist"));
  expect(await runRow(runId)).toBeUndefined();
});

test("a time zone the database does not know is a configuration error saying so", async () => {
  const kitchenId = await kitchenIn("UTC");
  // Written past the API, which only takes zones Intl knows.
  await testDb.handle.db
    .update(kitchens)
    .set({ timezone: "Nowhere/Atlantis" })
    .where(eq(kitchens.id, kitchenId));
  const start = startFrequentRun(testDb.handle.db, {
    runId: randomUUID(),
    kitchenId,
    trigger: "test",
    now: new Date(),
  });
  await expect(start).rejects.toBeInstanceOf(SyncConfigurationError);
  await expect(start).rejects.toThrow(/time zone/);
});
