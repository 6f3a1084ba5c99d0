import { randomBytes } from "node:crypto";
import {
  Alerting,
  clockTimeIn,
  createAlertNotifier,
  createLogger,
  createQueues,
  generateEncryptionKey,
  loadScheduleStates,
  type QueueSet,
  readKitchenSchedule,
  ScheduleOwner,
  schedulerIdFor,
  upsertKitchenScheduler,
} from "@occ/core";
import {
  alerts,
  HEALTH_RANKS,
  newbookConnections,
  newbookFrequentSyncSettings as settings,
  syncRuns,
} from "@occ/db";
import {
  createTestDatabase,
  deleteKeysUnder,
  seedFleet,
  seedKitchenWithConnection,
  type TestDatabase,
} from "@occ/testkit";
import { and, eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "../test/harness";
import { Reconciler } from "./reconciler";

const MINUTE_MS = 1_000;
const JOB_LOCK_MS = 1_000;
const options = { minuteMs: MINUTE_MS, attempts: 3, backoffMs: 100, backoffAfterFailures: 3 };
const logger = createLogger({ service: "test", level: "error" });

let testDb: TestDatabase;
let redis: Redis;
let queues: QueueSet;
const prefix = `test-reconciler-${process.pid}-${randomBytes(4).toString("hex")}`;
let now = new Date();

function reconciler(scheduleOptions = options): Reconciler {
  const alerting = new Alerting(testDb.handle.db, createAlertNotifier({ logger }));
  return new Reconciler({
    db: testDb.handle.db,
    queues,
    redis,
    prefix,
    schedule: new ScheduleOwner({ db: testDb.handle.db, queues, options: scheduleOptions, now: () => now }),
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
  queues = createQueues({ redis: TEST_REDIS_URL, prefix });
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
  await upsertKitchenScheduler(queues, wrong, { everyMs: 10 * MINUTE_MS, startAt: Date.now() }, options);
  await upsertKitchenScheduler(queues, disabled, { everyMs: 5 * MINUTE_MS, startAt: Date.now() }, options);
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
  expect(await second.tick()).toMatchObject({ created: 0, updated: 0, repaired: 0, removed: 0 });
});

it("recreates a scheduler whose next job is gone or long overdue, and leaves a sound one alone", async () => {
  now = new Date();
  const lastSyncAt = new Date(Date.now() - MINUTE_MS);
  const [lost, stuck, sound] = [
    await seed({ lastSyncAt, lastSuccessAt: lastSyncAt, syncIntervalMinutes: 60 }),
    await seed({ lastSyncAt, lastSuccessAt: lastSyncAt, syncIntervalMinutes: 60 }),
    await seed({ lastSyncAt, lastSuccessAt: lastSyncAt, syncIntervalMinutes: 60 }),
  ];
  await reconciler().reconcile();
  const before = await readKitchenSchedule(queues, sound);
  // Known BullMQ failure modes: the delayed job vanished while the scheduler stayed; the scheduler's
  // next run points far into the past (its job never ran and nothing advanced it).
  const lostNext = (await readKitchenSchedule(queues, lost))!.next!;
  const lostJob = `repeat:${schedulerIdFor(lost)}:${lostNext}`;
  await redis.zrem(queues.frequent.toKey("delayed"), lostJob);
  await redis.del(queues.frequent.toKey(lostJob));
  await redis.zadd(queues.frequent.toKey("repeat"), Date.now() - 3 * 60 * MINUTE_MS, schedulerIdFor(stuck));

  const report = await reconciler().reconcile();
  expect(report).toMatchObject({ created: 0, updated: 0, repaired: 2, removed: 0 });
  for (const kitchenId of [lost, stuck]) {
    const repaired = (await readKitchenSchedule(queues, kitchenId))!;
    expect(repaired.next).toBe(lastSyncAt.getTime() + 60 * MINUTE_MS);
    expect(
      await queues.frequent.getJob(`repeat:${schedulerIdFor(kitchenId)}:${repaired.next}`),
    ).toBeDefined();
    const [row] = await testDb.handle.db.select().from(settings).where(eq(settings.kitchenId, kitchenId));
    expect(row!.nextSyncAt?.getTime()).toBe(repaired.next);
  }
  // Untouched: same next run, same job.
  expect(await readKitchenSchedule(queues, sound)).toEqual(before);
  expect(await reconciler().reconcile()).toMatchObject({ created: 0, updated: 0, repaired: 0, removed: 0 });
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
  // Since when, on the kitchen's clock (Europe/London), not as a UTC timestamp.
  expect(open[0]!.message).toContain(
    `No successful sync since ${clockTimeIn("Europe/London", lastSuccessAt)}`,
  );
  expect(open[0]!.message).not.toMatch(/\d{4}-\d{2}-\d{2}T/);

  await testDb.handle.db
    .update(settings)
    .set({ lastSuccessAt: now })
    .where(eq(settings.kitchenId, kitchenId));
  await reconciler().reconcile();
  expect(await openStale(kitchenId)).toEqual([]);
});

it("repairs the ops view's has_connection flag where it disagrees with the connections table", async () => {
  const connected = await seed({});
  // Written some other way than the API (a restore, a manual insert): the flag says "not connected".
  await testDb.handle.db
    .update(settings)
    .set({ hasConnection: false })
    .where(eq(settings.kitchenId, connected));
  const rankOf = async () =>
    (await testDb.handle.db.select().from(settings).where(eq(settings.kitchenId, connected)))[0]!.healthRank;
  expect(await rankOf()).toBe(HEALTH_RANKS.not_connected);
  const report = await reconciler().reconcile();
  expect(report.connectionFlagsRepaired).toBe(1);
  expect(await rankOf()).not.toBe(HEALTH_RANKS.not_connected);
  expect((await reconciler().reconcile()).connectionFlagsRepaired).toBe(0);
});

it("starts a scheduler created while the kitchen's own sync waits in the queue one interval after that sync", async () => {
  now = new Date();
  // A kitchen never synced whose connection was just saved: the save queued its sync, and a reconciler
  // pass comes before the save has set up the schedule.
  const kitchenId = await seed({});
  const queuedAt = new Date(now.getTime() - 100);
  await testDb.handle.db.insert(syncRuns).values({
    kitchenId,
    kind: "frequent",
    trigger: "sync_now",
    status: "queued",
    windowFrom: "2026-01-01",
    windowTo: "2026-01-08",
    queuedAt,
  });
  await reconciler().reconcile();
  // Not "now", beside the queued sync: one interval after it.
  expect((await readKitchenSchedule(queues, kitchenId))?.next).toBe(queuedAt.getTime() + 5 * MINUTE_MS);
});

it("leaves a connection saved moments ago to the save, which has yet to queue its sync, for a scaled minute", async () => {
  now = new Date();
  // The save has committed the verified connection but not yet queued its own sync: a scheduler created
  // now would be due at once and run beside that sync.
  const kitchenId = await seed({});
  await testDb.handle.db
    .update(newbookConnections)
    .set({ verifiedAt: new Date(now.getTime() - 10) })
    .where(eq(newbookConnections.kitchenId, kitchenId));
  const pass = await reconciler().reconcile();
  expect(pass.created).toBe(0);
  expect(await readKitchenSchedule(queues, kitchenId)).toBeNull();
  // A save that never got further is made good once the minute is over.
  now = new Date(now.getTime() + MINUTE_MS);
  expect((await reconciler().reconcile()).created).toBe(1);
  expect((await readKitchenSchedule(queues, kitchenId))?.everyMs).toBe(5 * MINUTE_MS);
  // Verified long ago again, as every other kitchen of the file (the wiped-Redis pass counts them all).
  await testDb.handle.db
    .update(newbookConnections)
    .set({ verifiedAt: new Date(now.getTime() - 86_400_000) })
    .where(eq(newbookConnections.kitchenId, kitchenId));
});

it("gives a wiped Redis every scheduler back, with next runs counted from each kitchen's last sync", async () => {
  now = new Date();
  // Real minutes: every next run (15 minutes after a sync a minute ago) stays in the future while the
  // pass runs, so each must be exactly the one PostgreSQL's state asks for.
  const realMinutes = { ...options, minuteMs: 60_000 };
  const schedule = new ScheduleOwner({ db: testDb.handle.db, queues, options: realMinutes, now: () => now });
  // More kitchens than one applyMany chunk, so the pass spans several transactions.
  const ids = await seedFleet(testDb.handle.db, { kitchens: 1_200, now, namePrefix: "Wiped" });
  await reconciler(realMinutes).reconcile();
  await queues.frequent.obliterate({ force: true });

  const report = await reconciler(realMinutes).reconcile();
  const states = await loadScheduleStates(testDb.handle.db);
  // Every kitchen of the file whose schedule is on (the earlier tests' too) got its scheduler back.
  expect(report.created).toBe(states.filter((state) => schedule.desired(state).on).length);
  const fleet = new Set(ids);
  const expected = states.flatMap((state) => {
    const wanted = schedule.desired(state);
    return wanted.on && fleet.has(state.kitchenId)
      ? [{ kitchenId: state.kitchenId, everyMs: wanted.everyMs, next: wanted.startAt }]
      : [];
  });
  // The fleet's mix: every 20th + 2 without a connection and every 20th + 3 disabled have none.
  expect(expected).toHaveLength(ids.length * 0.9);
  const stored = new Map(
    (await testDb.handle.db.select().from(settings)).map((row) => [row.kitchenId, row.nextSyncAt?.getTime()]),
  );
  for (const want of expected) {
    const scheduler = await readKitchenSchedule(queues, want.kitchenId);
    expect({ kitchenId: want.kitchenId, everyMs: scheduler?.everyMs, next: scheduler?.next }).toEqual(want);
    expect(
      await queues.frequent.getJob(`repeat:${schedulerIdFor(want.kitchenId)}:${want.next}`),
    ).toBeDefined();
    expect(stored.get(want.kitchenId)).toBe(want.next);
  }
  expect(await reconciler(realMinutes).reconcile()).toMatchObject({
    created: 0,
    updated: 0,
    repaired: 0,
    removed: 0,
  });
});
