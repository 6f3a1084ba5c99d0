import { randomBytes, randomUUID } from "node:crypto";
import { generateEncryptionKey, kitchenLockKey } from "@occ/core";
import { newbookFrequentSyncSettings as settings, syncRuns } from "@occ/db";
import {
  createTestDatabase,
  deleteKeysUnder,
  seedKitchenWithConnection,
  type TestDatabase,
} from "@occ/testkit";
import { eq, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "../test/harness";
import { ABANDONED_ERROR_CODE, oldRunningRuns, sweepAbandonedRuns } from "./abandoned-runs";

const OLDER_THAN_MS = 600_000;
const prefix = `test-abandoned-${process.pid}-${randomBytes(4).toString("hex")}`;
const now = new Date();
const old = new Date(now.getTime() - OLDER_THAN_MS - 1_000);

let testDb: TestDatabase;
let redis: Redis;

async function seedKitchen(lastSyncStatus: string | null): Promise<number> {
  const { kitchenId } = await seedKitchenWithConnection(testDb.handle.db, {
    timezone: "Europe/London",
    property: { username: "u", password: "p", apiKey: "k", region: "eu" },
    baseUrl: "http://127.0.0.1:1/rest",
    encryptionKey: generateEncryptionKey(),
    settings: { lastSyncStatus },
  });
  return kitchenId;
}

async function addRun(
  kitchenId: number,
  status: string,
  startedAt: Date,
  finishedAt?: Date,
): Promise<string> {
  const id = randomUUID();
  await testDb.handle.db.insert(syncRuns).values({
    id,
    kitchenId,
    kind: "frequent",
    trigger: "schedule",
    status,
    windowFrom: "2025-01-01",
    windowTo: "2025-01-07",
    queuedAt: startedAt,
    startedAt,
    finishedAt: finishedAt ?? null,
  });
  return id;
}

async function run(id: string) {
  const [row] = await testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, id));
  return row!;
}

async function settingsOf(kitchenId: number) {
  const [row] = await testDb.handle.db.select().from(settings).where(eq(settings.kitchenId, kitchenId));
  return row!;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  await deleteKeysUnder(redis, prefix);
  redis.disconnect();
  await testDb.drop();
});

it("fails old running runs whose kitchen is unlocked and repairs settings left running", async () => {
  const orphaned = await seedKitchen("running");
  await addRun(orphaned, "success", new Date(old.getTime() - 60_000), new Date(old.getTime() - 50_000));
  const orphanedRun = await addRun(orphaned, "running", old);

  const live = await seedKitchen("running");
  const liveRun = await addRun(live, "running", old);
  await redis.set(kitchenLockKey(prefix, live), randomUUID(), "PX", 60_000);

  const fresh = await seedKitchen("running");
  const freshRun = await addRun(fresh, "running", new Date(now.getTime() - OLDER_THAN_MS + 1_000));

  // A run that lost its lock was skipped and could not overwrite "running".
  const lostLock = await seedKitchen("running");
  await addRun(lostLock, "skipped", old, old);

  const neverFinished = await seedKitchen("running");

  const report = await sweepAbandonedRuns({
    db: testDb.handle.db,
    redis,
    prefix,
    olderThanMs: OLDER_THAN_MS,
    now,
  });
  expect(report).toEqual({ abandoned: 1, settingsRepaired: 3 });

  expect(await run(orphanedRun)).toMatchObject({
    status: "failed",
    errorCode: ABANDONED_ERROR_CODE,
    errorMessage: "The worker running this sync stopped before recording its outcome",
    finishedAt: now,
  });
  expect(await settingsOf(orphaned)).toMatchObject({ lastSyncStatus: "failed", consecutiveFailures: 0 });

  expect(await run(liveRun)).toMatchObject({ status: "running", errorCode: null, finishedAt: null });
  expect((await settingsOf(live)).lastSyncStatus).toBe("running");
  expect(await run(freshRun)).toMatchObject({ status: "running", errorCode: null, finishedAt: null });
  expect((await settingsOf(fresh)).lastSyncStatus).toBe("running");

  expect((await settingsOf(lostLock)).lastSyncStatus).toBe("skipped");
  expect((await settingsOf(neverFinished)).lastSyncStatus).toBeNull();

  // Nothing is left to sweep on the next pass.
  expect(
    await sweepAbandonedRuns({ db: testDb.handle.db, redis, prefix, olderThanMs: OLDER_THAN_MS, now }),
  ).toEqual({ abandoned: 0, settingsRepaired: 0 });
});

it("finds its candidates through the partial index of runs in flight, not a scan of every run", async () => {
  const kitchenId = await seedKitchen(null);
  // A kitchen's history at a 5-minute interval for most of a year, all finished.
  await testDb.handle.db.execute(sql`
    insert into sync_runs (kitchen_id, kind, trigger, status, window_from, window_to, queued_at, started_at, finished_at)
    select ${kitchenId}, 'frequent', 'schedule', 'success', '2025-01-01', '2025-01-07', t, t, t
    from generate_series(1, 100000) as i, lateral (select now() - i * interval '5 minutes' as t) as at`);
  await addRun(kitchenId, "running", old);
  await testDb.handle.db.execute(sql`analyze sync_runs`);

  const plan = await testDb.handle.db.execute(
    sql`explain (format json) ${oldRunningRuns(testDb.handle.db, now).getSQL()}`,
  );
  const text = JSON.stringify(plan);
  expect(text).toContain("sync_runs_in_flight_idx");
  expect(text).not.toContain("Seq Scan");
});
