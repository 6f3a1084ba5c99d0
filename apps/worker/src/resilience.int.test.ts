import { randomUUID } from "node:crypto";
import { createQueues, enqueueSyncNow, type QueueSet } from "@occ/core";
import { dailyOccupancy, syncRuns } from "@occ/db";
import { until } from "@occ/testkit";
import { and, asc, eq, gt } from "drizzle-orm";
import { Client } from "pg";
import {
  createWorkerTestEnv,
  ensureWorkerBuilt,
  spawnWorker,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";

jest.setTimeout(120_000);

let env: WorkerTestEnv;
let queues: QueueSet;
const spawned: WorkerProcess[] = [];

function start(overrides: Record<string, string> = {}): WorkerProcess {
  const worker = spawnWorker(env.workerEnv({ SYNC_MINUTE_MS: "200", JOB_LOCK_MS: "2000", ...overrides }));
  spawned.push(worker);
  return worker;
}

/** A kitchen's daily figures without what differs between two kitchens or runs. */
async function figures(kitchenId: number) {
  const rows = await env.testDb.handle.db
    .select()
    .from(dailyOccupancy)
    .where(eq(dailyOccupancy.kitchenId, kitchenId))
    .orderBy(asc(dailyOccupancy.date));
  return rows.map(
    ({ id, kitchenId: _k, sourceRunId, fetchedAt, changedAt, previousFigures, ...rest }) => rest,
  );
}

/** The kitchen's successful runs that started after `since`. */
function successesSince(kitchenId: number, since: Date) {
  return env.testDb.handle.db
    .select()
    .from(syncRuns)
    .where(
      and(eq(syncRuns.kitchenId, kitchenId), eq(syncRuns.status, "success"), gt(syncRuns.startedAt, since)),
    );
}

const startedLog = (runId: string) => (l: Record<string, unknown>) =>
  l.message === "sync started" && l.run_id === runId;

beforeAll(async () => {
  await ensureWorkerBuilt();
  env = await createWorkerTestEnv({ properties: 4, rooms: 10, throttlePerMinute: 1_000_000 });
  queues = createQueues({ redis: env.workerEnv().REDIS_URL!, prefix: env.prefix });
});

afterAll(async () => {
  for (const worker of spawned) worker.kill("SIGKILL");
  await queues.close();
  await env.close();
});

afterEach(async () => {
  for (const worker of spawned.splice(0)) {
    worker.kill("SIGKILL");
    await worker.exited;
  }
  await env.control("PUT", "/latency", { ms: 0 });
  await env.wipeRedis();
});

it("finishes a sync on another replica when its worker is SIGKILLed mid-run, with data equal to a clean sync", async () => {
  // Two kitchens on the same property: one synced through the crash, one synced cleanly as the reference.
  const [crashed, reference] = (await env.seedKitchens(
    2,
    () => ({ syncIntervalMinutes: 60, isEnabled: false }),
    () => 0,
  )) as [number, number];
  const property = env.sim.properties[0]!;
  await env.control("PUT", "/latency", { ms: 1_500, property_id: property.id });

  const doomed = start();
  await doomed.metricsPort();
  const runId = randomUUID();
  await enqueueSyncNow(queues, crashed, runId);
  await doomed.waitForLog(startedLog(runId));
  // Mid-run: recorded as running, with one of its Newbook calls (1.5 s each) in flight.
  await until("the run to be running", async () => (await env.runById(runId))?.status === "running");
  await until("a Newbook call in flight", async () => {
    const { requests } = await env.control<{
      requests: Array<{ username: string | null; finished_at: string | null }>;
    }>("GET", "/requests");
    return requests.some((r) => r.username === property.username && r.finished_at === null);
  });
  doomed.kill("SIGKILL");
  await doomed.exited;
  expect((await env.runById(runId))?.status).toBe("running");

  // The survivor takes the job over as a new run linked to the lost one: history is never rewritten.
  start();
  const kitchenRuns = () =>
    env.testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.kitchenId, crashed));
  await until(
    "the taken-over job to succeed as a new run linked to the lost one",
    async () => (await kitchenRuns()).some((r) => r.retryOf === runId && r.status === "success"),
    30_000,
  );
  expect(await env.runById(runId)).toEqual(
    expect.objectContaining({ status: "failed", errorCode: "worker_lost" }),
  );
  expect(await kitchenRuns()).toHaveLength(2);

  const referenceRun = randomUUID();
  await enqueueSyncNow(queues, reference, referenceRun);
  await until("the reference sync", async () => (await env.runById(referenceRun))?.status === "success");
  const expected = await figures(reference);
  expect(expected.length).toBeGreaterThan(0);
  expect(await figures(crashed)).toEqual(expected);
});

it("restores every schedule within one reconcile period after Redis loses its data, and keeps syncing", async () => {
  const kitchens = await env.seedKitchens(3, () => ({ syncIntervalMinutes: 5 }));
  const worker = start({ SYNC_MINUTE_MS: "300" });
  await until("the schedulers", async () => (await queues.frequent.getJobSchedulersCount()) === 3);
  await until("every kitchen's first sync", async () => {
    const synced = new Set(worker.logs.filter((l) => l.outcome === "success").map((l) => l.kitchen_id));
    return kitchens.every((id) => synced.has(id));
  });

  const logsBeforeWipe = worker.logs.length;
  expect(await env.wipeRedis()).toBeGreaterThan(0);
  const wipedAt = Date.now();
  expect(await queues.frequent.getJobSchedulersCount()).toBe(0);
  await until(
    "the schedulers to come back",
    async () => (await queues.frequent.getJobSchedulersCount()) === 3,
    5_000,
  );
  // Within one reconcile period: the reconciler recreated what was missing. A run in flight during the wipe
  // re-applies its own kitchen's schedule as it ends (back-off bookkeeping), so the repair may find that
  // one back already: it recreates the others, never more than were lost.
  const repair = await until("the reconciler's report of the repair", async () =>
    worker.logs
      .slice(logsBeforeWipe)
      .find((l) => l.message === "schedules reconciled" && Number(l.created) > 0),
  );
  expect(Number(repair.created)).toBeGreaterThanOrEqual(1);
  expect(Number(repair.created)).toBeLessThanOrEqual(3);

  for (const kitchenId of kitchens) {
    await until(
      `kitchen ${kitchenId} to sync again`,
      async () => {
        return (await successesSince(kitchenId, new Date(wipedAt))).length >= 2;
      },
      10_000,
    );
  }
  expect(worker.child.exitCode).toBeNull();
});

it("fails and retries a run whose database connection is terminated, then recovers", async () => {
  const kitchens = await env.seedKitchens(4, () => ({ syncIntervalMinutes: 5 }));
  const worker = start({ JOB_ATTEMPTS: "3", JOB_BACKOFF_MS: "50" });
  await until("first syncs", async () => worker.logs.filter((l) => l.outcome === "success").length >= 4);

  // Terminate the worker's busy connections again and again, so some land inside a sync's transaction.
  const admin = new Client({ connectionString: env.testDb.url });
  await admin.connect();
  const databaseRetry = () => worker.logs.some((l) => l.outcome === "retry" && l.error_code === "database");
  await until(
    "a sync retried after losing its database connection",
    async () => {
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid() and state in ('active', 'idle in transaction')`,
        [env.testDb.name],
      );
      return databaseRetry();
    },
    30_000,
    2,
  );
  await admin.end();
  const calmFrom = new Date();

  const retried = worker.logs.filter((l) => l.outcome === "retry" && l.error_code === "database");
  expect(retried.length).toBeGreaterThan(0);
  for (const kitchenId of kitchens) {
    await until(`kitchen ${kitchenId} to recover`, async () => {
      return (await successesSince(kitchenId, calmFrom)).length > 0;
    });
  }
  expect(worker.child.exitCode).toBeNull();
});

it("lets a running sync finish on SIGTERM and exits 0 within the deadline", async () => {
  const [kitchenId] = (await env.seedKitchens(1, () => ({ syncIntervalMinutes: 60, isEnabled: false }))) as [
    number,
  ];
  await env.control("PUT", "/latency", { ms: 1_000 });
  const worker = start({ SHUTDOWN_TIMEOUT_MS: "10000" });
  await worker.metricsPort();
  const runId = randomUUID();
  await enqueueSyncNow(queues, kitchenId, runId);
  await worker.waitForLog(startedLog(runId));
  const signalledAt = Date.now();
  worker.kill("SIGTERM");
  expect(await worker.exited).toBe(0);
  expect(Date.now() - signalledAt).toBeLessThan(10_000);
  expect((await env.runById(runId))?.status).toBe("success");
  expect(await env.redis.exists(`${env.prefix}:kitchen-lock:${kitchenId}`)).toBe(0);
});
