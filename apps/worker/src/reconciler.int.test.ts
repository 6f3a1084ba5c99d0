import { randomBytes } from "node:crypto";
import {
  Alerting,
  applyKitchenSchedule,
  createAlertNotifier,
  createLogger,
  createQueues,
  generateEncryptionKey,
  type QueueSet,
  readKitchenSchedule,
  schedulerIdFor,
} from "@occ/core";
import { alerts, newbookFrequentSyncSettings as settings } from "@occ/db";
import {
  createTestDatabase,
  deleteKeysUnder,
  seedKitchenWithConnection,
  type TestDatabase,
} from "@occ/testkit";
import { and, eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { Reconciler } from "./reconciler";
import { TEST_REDIS_URL } from "./testing";

const MINUTE_MS = 1_000;
const JOB_LOCK_MS = 1_000;
const schedule = { minuteMs: MINUTE_MS, attempts: 3, backoffMs: 100, backoffAfterFailures: 3 };
const logger = createLogger({ service: "test", level: "error" });

let testDb: TestDatabase;
let redis: Redis;
let queues: QueueSet;
const prefix = `test-reconciler-${process.pid}-${randomBytes(4).toString("hex")}`;
let now = new Date();

function reconciler(): Reconciler {
  const alerting = new Alerting(testDb.handle.db, createAlertNotifier({ logger }));
  return new Reconciler({
    db: testDb.handle.db,
    queues,
    redis,
    prefix,
    schedule,
    jobLockMs: JOB_LOCK_MS,
    alerting,
    logger,
    now: () => now,
  });
}

async function seed(overrides: Partial<typeof settings.$inferInsert>): Promise<number> {
  const { kitchenId } = await seedKitchenWithConnection(testDb.handle.db, {
    timezone: "Europe/London",
    property: { username: "u", password: "p", apiKey: "k", region: "eu" },
    baseUrl: "http://127.0.0.1:1/rest",
    encryptionKey: generateEncryptionKey(),
    settings: { syncIntervalMinutes: 5, ...overrides },
  });
  return kitchenId;
}

async function openStale(kitchenId: number) {
  return testDb.handle.db
    .select()
    .from(alerts)
    .where(and(eq(alerts.kitchenId, kitchenId), eq(alerts.kind, "stale"), eq(alerts.state, "open")));
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  redis = new Redis(TEST_REDIS_URL);
  queues = createQueues({ redisUrl: TEST_REDIS_URL, prefix });
});

afterAll(async () => {
  await queues.frequent.obliterate({ force: true });
  await deleteKeysUnder(redis, prefix);
  await queues.close();
  redis.disconnect();
  await testDb.drop();
});

it("makes Redis match PostgreSQL, one replica per period", async () => {
  const lastSyncAt = new Date(Date.now() - 2 * MINUTE_MS);
  const missing = await seed({ lastSyncAt, lastSuccessAt: lastSyncAt });
  const wrong = await seed({
    syncIntervalMinutes: 10,
    consecutiveFailures: 4,
    lastSyncAt,
    lastSuccessAt: lastSyncAt,
  });
  const disabled = await seed({ isEnabled: false });
  await applyKitchenSchedule(
    queues,
    { kitchenId: wrong, isEnabled: true, syncIntervalMinutes: 10, consecutiveFailures: 0 },
    schedule,
  );
  await applyKitchenSchedule(
    queues,
    { kitchenId: disabled, isEnabled: true, syncIntervalMinutes: 5, consecutiveFailures: 0 },
    schedule,
  );
  await queues.frequent.upsertJobScheduler("legacy-kitchen-1", { every: 60_000 });

  const [first, second] = [reconciler(), reconciler()];
  const report = await first.tick();
  expect(await second.tick()).toBeNull();
  expect(report).toMatchObject({ created: 1, updated: 1, removed: 2 });

  const created = await readKitchenSchedule(queues, missing);
  expect(created?.everyMs).toBe(5 * MINUTE_MS);
  // A recreated schedule keeps the kitchen's cadence: next run one interval after the last one.
  expect(created?.next).toBe(lastSyncAt.getTime() + 5 * MINUTE_MS);
  expect((await readKitchenSchedule(queues, wrong))?.everyMs).toBe(40 * MINUTE_MS); // 10 backed off twice
  expect(await readKitchenSchedule(queues, disabled)).toBeNull();
  expect(await queues.frequent.getJobScheduler("legacy-kitchen-1")).toBeUndefined();

  const [row] = await testDb.handle.db.select().from(settings).where(eq(settings.kitchenId, missing));
  expect(row!.nextSyncAt?.getTime()).toBe(created?.next);
  expect(await queues.frequent.getJobScheduler(schedulerIdFor(missing))).toBeDefined();

  // Nothing left to do on the next period.
  await redis.del(`${prefix}:reconciler-lock`);
  expect(await second.tick()).toMatchObject({ created: 0, updated: 0, removed: 0 });
});

it("opens a stale warning after twice the interval without success and resolves it once fresh", async () => {
  // After the row's creation, which staleness also counts from.
  const lastSuccessAt = new Date(Date.now() + 1_000);
  const kitchenId = await seed({ lastSuccessAt, lastSyncAt: lastSuccessAt });
  now = new Date(lastSuccessAt.getTime() + 2 * 5 * MINUTE_MS - 1);
  await reconciler().reconcile();
  expect(await openStale(kitchenId)).toEqual([]);

  now = new Date(lastSuccessAt.getTime() + 2 * 5 * MINUTE_MS + 1);
  await reconciler().reconcile();
  await reconciler().reconcile();
  const open = await openStale(kitchenId);
  expect(open).toHaveLength(1);
  expect(open[0]).toMatchObject({ severity: "warning" });

  await testDb.handle.db
    .update(settings)
    .set({ lastSuccessAt: now })
    .where(eq(settings.kitchenId, kitchenId));
  await reconciler().reconcile();
  expect(await openStale(kitchenId)).toEqual([]);
});
