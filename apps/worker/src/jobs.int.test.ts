import { randomUUID } from "node:crypto";
import {
  addDays,
  enqueueHistoricalSync,
  enqueueSyncNow,
  kitchenLockKey,
  localDateIn,
  type QueueSet,
} from "@occ/core";
import { syncRuns } from "@occ/db";
import { findPromtool, promtoolCheckMetrics, sleep, until } from "@occ/testkit";
import {
  startWorkerFixture,
  stopWorkerFixture,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";
import { KITCHEN_BUSY_MESSAGE } from "./run-job";

jest.setTimeout(90_000);

let env: WorkerTestEnv;
let queues: QueueSet;
let worker: WorkerProcess;

beforeAll(async () => {
  ({ env, queues, worker } = await startWorkerFixture(
    { properties: 1, rooms: 10, throttlePerMinute: 1_000_000 },
    () => ({ SYNC_MINUTE_MS: "200", WORKER_CONCURRENCY: "4" }),
  ));
});

afterAll(() => stopWorkerFixture({ env, queues, worker }));

it("runs a historical sync as a job with progress; a sync-now of the same kitchen waits for it, then runs", async () => {
  const [kitchenId] = (await env.seedKitchens(1, () => ({ syncIntervalMinutes: 60, isEnabled: false }))) as [
    number,
  ];
  await env.control("PUT", "/latency", { ms: 300 });
  const today = localDateIn(env.sim.properties[0]!.timezone, new Date());
  const runId = randomUUID();
  const jobId = await enqueueHistoricalSync(queues, {
    kitchenId,
    runId,
    dateFrom: addDays(today, -100),
    dateTo: today,
  });
  expect(jobId).toBe(runId);

  await worker.waitForLog((l) => l.message === "sync started" && l.run_id === runId);
  const syncNow = randomUUID();
  await enqueueSyncNow(queues, kitchenId, syncNow);
  // It gives its slot back while the kitchen is busy (the log says so), rather than ending as "skipped".
  await worker.waitForLog((l) => l.message === "sync waits for its kitchen" && l.run_id === syncNow);

  const seen: Array<{ done: number; total: number; percent: number }> = [];
  for (;;) {
    // The run's success commits before the job reports its last progress and completes: the job's state
    // is read first, so once it is "completed" the progress read after it is the final one.
    const completed = (await queues.historical.getJobState(jobId)) === "completed";
    const job = await queues.historical.getJob(jobId);
    const progress = job?.progress as { done: number; total: number; percent: number } | number | undefined;
    if (typeof progress === "object" && progress.done !== seen.at(-1)?.done) seen.push(progress);
    if (completed && (await env.runById(runId))?.status === "success") break;
    await sleep(50);
  }
  expect(seen.length).toBeGreaterThanOrEqual(2);
  expect(seen.at(-1)).toEqual({ done: 101, total: 101, percent: 100 });
  expect(seen[0]!.done).toBeLessThan(101);

  const finished = await worker.waitForLog((l) => l.message === "sync finished" && l.run_id === runId);
  expect(finished).toMatchObject({ outcome: "success", kind: "historical", window_to: today });
  await worker.waitForLog((l) => l.message === "sync finished" && l.run_id === syncNow);
  expect((await env.runById(syncNow))?.status).toBe("success");
});

it("a sync-now that meets its kitchen held by a run not yet recorded waits, saying so, and syncs once it is free", async () => {
  // The race behind a "Sync now" ending as skipped: a schedule tick took the kitchen's lock just before
  // the click and had not written its run yet, so the API could not follow it and queued a run of its own.
  const [kitchenId] = (await env.seedKitchens(1, () => ({ syncIntervalMinutes: 60, isEnabled: false }))) as [
    number,
  ];
  await env.control("PUT", "/latency", { ms: 0 });
  const holder = randomUUID();
  await env.redis.set(kitchenLockKey(env.prefix, kitchenId), holder, "PX", 60_000);
  const runId = randomUUID();
  const now = new Date();
  const today = localDateIn(env.sim.properties[0]!.timezone, now);
  await env.testDb.handle.db.insert(syncRuns).values({
    id: runId,
    kitchenId,
    kind: "frequent",
    trigger: "sync_now",
    status: "queued",
    windowFrom: today,
    windowTo: addDays(today, 7),
    queuedAt: now,
  });
  await enqueueSyncNow(queues, kitchenId, runId);

  await until(
    "the run to say it waits",
    async () => (await env.runById(runId))?.errorCode === "kitchen_busy",
  );
  expect(await env.runById(runId)).toMatchObject({ status: "queued", errorMessage: KITCHEN_BUSY_MESSAGE });
  // Still waiting, not skipped, after three tries.
  const tries = () =>
    worker.logs.filter((l) => l.message === "sync waits for its kitchen" && l.run_id === runId);
  await until("three tries", async () => tries().length >= 3);
  expect((await env.runById(runId))?.status).toBe("queued");
  expect(worker.logs.filter((l) => l.run_id === runId && l.message === "sync skipped")).toEqual([]);

  await env.redis.del(kitchenLockKey(env.prefix, kitchenId));
  await until("the run to succeed", async () => (await env.runById(runId))?.status === "success");
  expect(await env.runById(runId)).toMatchObject({
    errorMessage: null,
    errorCode: null,
    trigger: "sync_now",
  });
});

it("serves Prometheus metrics, liveness and readiness", async () => {
  const base = `http://127.0.0.1:${await worker.metricsPort()}`;
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(/sync_runs_total\{kind="historical",outcome="success",service="worker"\} 1/);
  expect(metrics).toMatch(/sync_runs_total\{kind="frequent",outcome="success",service="worker"\} 2/);
  expect(metrics).toMatch(/sync_runs_total\{kind="frequent",outcome="deferred",service="worker"\} [1-9]/);
  expect(metrics).not.toMatch(/outcome="skipped"/);
  expect(metrics).toMatch(
    /newbook_requests_total\{action="bookings_list",outcome="ok",service="worker"\} \d+/,
  );
  expect(metrics).toMatch(/queue_jobs\{queue="historical-sync",state="completed",service="worker"\} 1/);
  // The only kitchen is disabled: set-wide gauges, no series of its own.
  expect(metrics).toMatch(/sync_kitchens_enabled\{service="worker"\} 0/);
  expect(metrics).not.toMatch(/sync_consecutive_failures\{kitchen=/);
  expect(metrics).toContain("sync_duration_seconds_bucket");
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok", redis: "ok" } });
});

const promtool = findPromtool();
if (!promtool) console.warn("promtool not installed (Debian package prometheus): metrics lint skipped");
(promtool ? it : it.skip)(
  `serves metrics that pass promtool's lint${promtool ? "" : " (SKIPPED: promtool not installed)"}`,
  async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${await worker.metricsPort()}/metrics`)).text();
    expect(await promtoolCheckMetrics(promtool!, metrics)).toEqual([]);
  },
);
