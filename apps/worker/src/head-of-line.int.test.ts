import { randomUUID } from "node:crypto";
import { enqueueSyncNow, kitchenWaitingKey, type QueueSet } from "@occ/core";
import { syncRuns } from "@occ/db";
import { until } from "@occ/testkit";
import { inArray } from "drizzle-orm";
import {
  startWorkerFixture,
  stopWorkerFixture,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";
import { WAITING_RUN_REASON } from "./run-job";

jest.setTimeout(120_000);

// Every credential may send 2 requests per window: one first sync (sites_list + bookings_list) each.
const RATE_WINDOW_MS = 10_000;
// Longer than the rate window (the throttled runs' second attempt finds their budget back) and long
// enough for a kitchen queued behind to finish well within it once a slot is free.
const RETRY_AFTER_SECONDS = 15;

let env: WorkerTestEnv;
let worker: WorkerProcess;
let queues: QueueSet;

beforeAll(async () => {
  ({ env, queues, worker } = await startWorkerFixture(
    { properties: 5, rooms: 10, throttlePerMinute: 1_000_000 },
    () => ({
      WORKER_CONCURRENCY: "2",
      NEWBOOK_RATE_LIMIT: "2",
      NEWBOOK_RATE_WINDOW_MS: String(RATE_WINDOW_MS),
      // Retries allowed, with time for them: a run used to sleep out Newbook's Retry-After in its slot.
      NEWBOOK_MAX_RETRIES: "3",
      NEWBOOK_RETRY_MAX_TOTAL_MS: "60000",
    }),
  ));
});

afterAll(() => stopWorkerFixture({ env, queues, worker }));

test("jobs of a credential out of budget give their worker slot back to kitchens on other keys", async () => {
  // Three kitchens share property 0's key, which has budget for one of them per window; four kitchens
  // have keys of their own. Both worker slots would be held by the shared key's waiting jobs if those
  // slept in them, and the other kitchens would only start once the shared key's next window opened.
  // Schedules disabled: the only jobs are the sync-now ones below.
  const settings = () => ({ syncIntervalMinutes: 60, isEnabled: false });
  const shared = await env.seedKitchens(3, settings, () => 0);
  const own = await env.seedKitchens(4, settings, (i) => i + 1);
  const runOf = new Map<number, string>();
  for (const kitchenId of [...shared, ...own]) {
    const runId = randomUUID();
    runOf.set(kitchenId, runId);
    await enqueueSyncNow(queues, kitchenId, runId);
  }
  const runs = () =>
    env.testDb.handle.db
      .select()
      .from(syncRuns)
      .where(inArray(syncRuns.id, [...runOf.values()]));
  const finishedAt = (rows: Awaited<ReturnType<typeof runs>>, kitchenIds: number[]) =>
    kitchenIds.map((id) => rows.find((run) => run.kitchenId === id && run.status === "success")?.finishedAt);

  const ownDone = await until(
    "every kitchen on its own key synced",
    async () => {
      const rows = await runs();
      const times = finishedAt(rows, own);
      return times.every(Boolean) ? rows : undefined;
    },
    RATE_WINDOW_MS * 2,
  );
  const sharedSucceeded = finishedAt(ownDone, shared).filter(Boolean);
  expect(sharedSucceeded.length).toBeLessThanOrEqual(1);
  // The shared key's other jobs wait in the queue, saying why, without having used an attempt.
  const waiting = ownDone.filter((run) => shared.includes(run.kitchenId) && run.status !== "success");
  expect(waiting.length).toBeGreaterThanOrEqual(2);
  for (const run of waiting) expect(run).toMatchObject({ status: "queued", errorCode: "rate_limited" });
  const delayed = await queues.frequent.getJobs(["delayed"]);
  expect(delayed.filter((job) => job.attemptsMade === 0).length).toBeGreaterThanOrEqual(waiting.length);

  // ... and all run as the shared key's budget allows: one kitchen per window, none failed.
  const all = await until(
    "every kitchen on the shared key synced",
    async () => {
      const rows = await runs();
      return finishedAt(rows, shared).every(Boolean) ? rows : undefined;
    },
    RATE_WINDOW_MS * 5,
  );
  for (const run of all) expect(run).toMatchObject({ status: "success", attempt: 1, errorCode: null });
  expect(worker.logs.filter((line) => line.outcome === "deferred").length).toBeGreaterThanOrEqual(2);
});

test("a 429 with a long Retry-After gives the worker slot back until Newbook allows, without using an attempt", async () => {
  // Two kitchens on keys of their own that Newbook throttles, one on a third key. Both worker slots
  // would sleep out Retry-After if the throttled runs waited in them. The keys' budget from the test
  // above is long back (it waited several windows).
  const settings = () => ({ syncIntervalMinutes: 60, isEnabled: false });
  const throttled = await env.seedKitchens(2, settings, (i) => 3 + i);
  const [other] = await env.seedKitchens(1, settings, () => 2);
  for (const property of env.sim.properties.slice(3, 5)) {
    await env.control("POST", `/properties/${property.id}/faults`, {
      type: "http429",
      count: 1,
      actions: ["bookings_list"],
      retry_after_seconds: RETRY_AFTER_SECONDS,
    });
  }
  const throttledRuns = throttled.map(() => randomUUID());
  for (const [i, kitchenId] of throttled.entries())
    await enqueueSyncNow(queues, kitchenId, throttledRuns[i]!);
  const runsOf = (ids: string[]) =>
    env.testDb.handle.db.select().from(syncRuns).where(inArray(syncRuns.id, ids));
  // What the pages read while they wait: queued, and why.
  const waiting = await until(
    "both throttled runs back in the queue",
    async () => {
      const rows = await runsOf(throttledRuns);
      const queued = rows.filter((run) => run.status === "queued" && run.errorCode === "rate_limited");
      return queued.length === 2 ? queued : undefined;
    },
    30_000,
  );
  for (const run of waiting) {
    expect(run.errorMessage).toContain(`pause for ${RETRY_AFTER_SECONDS} s`);
    expect(run.finishedAt).toBeNull();
  }

  // Both slots are free: a kitchen on another key syncs while the throttled ones wait.
  const otherRun = randomUUID();
  await enqueueSyncNow(queues, other!, otherRun);
  await until(
    "the other kitchen synced",
    async () => (await env.runById(otherRun))?.status === "success",
    30_000,
  );
  for (const run of await runsOf(throttledRuns)) expect(run.status).toBe("queued");

  const done = await until(
    "the throttled kitchens synced once Newbook allowed",
    async () => {
      const rows = await runsOf(throttledRuns);
      return rows.every((run) => run.status === "success") ? rows : undefined;
    },
    RETRY_AFTER_SECONDS * 1000 * 4,
  );
  for (const run of done) {
    // One attempt, no failure recorded, started again no earlier than Retry-After allowed.
    expect(run).toMatchObject({ attempt: 1, errorCode: null, errorMessage: null });
    const deferred = worker.logs.find((line) => line.outcome === "deferred" && line.run_id === run.id);
    expect(deferred).toMatchObject({ wait_ms: RETRY_AFTER_SECONDS * 1000 });
    const deferredAt = new Date(String(deferred!.timestamp)).getTime();
    expect(run.startedAt!.getTime() - deferredAt).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
  }
});

test("a kitchen's later syncs do not queue beside its run waiting for the budget", async () => {
  // Two kitchens on property 1's key, whose budget (2 per window) one first sync uses up; the window of
  // the first test is long over. Without the waiting mark, every later sync of the second kitchen would
  // wait beside the first and compete with it for the same slots, so a budget that cannot keep up with
  // its schedules piles up waiting runs for ever.
  const settings = () => ({ syncIntervalMinutes: 60, isEnabled: false });
  const [first, second] = await env.seedKitchens(2, settings, () => 1);
  const firstRun = randomUUID();
  await enqueueSyncNow(queues, first!, firstRun);
  await until(
    "the first kitchen synced",
    async () => (await env.runById(firstRun))?.status === "success",
    30_000,
  );

  const waitingRun = randomUUID();
  await enqueueSyncNow(queues, second!, waitingRun);
  await until(
    "the second kitchen's run waits for the budget",
    async () => (await env.runById(waitingRun))?.errorCode === "rate_limited",
    30_000,
  );
  const waitingKey = kitchenWaitingKey(env.prefix, second!);
  expect(await env.redis.get(waitingKey)).toBe(waitingRun);

  const besideRun = randomUUID();
  await enqueueSyncNow(queues, second!, besideRun);
  const beside = await until(
    "the later sync was skipped",
    async () => {
      const run = await env.runById(besideRun);
      return run?.status === "skipped" ? run : undefined;
    },
    30_000,
  );
  expect(beside.errorMessage).toBe(WAITING_RUN_REASON);
  expect((await env.runById(waitingRun))?.status).toBe("queued");

  // The waiting run goes on once the budget allows, and its mark ends with its wait.
  await until(
    "the waiting run synced",
    async () => (await env.runById(waitingRun))?.status === "success",
    RATE_WINDOW_MS * 4,
  );
  expect(await env.redis.exists(waitingKey)).toBe(0);
});
