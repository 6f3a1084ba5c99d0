import { randomUUID } from "node:crypto";
import { createQueues, enqueueSyncNow, type QueueSet } from "@occ/core";
import { until } from "@occ/testkit";
import {
  createWorkerTestEnv,
  ensureWorkerBuilt,
  spawnWorker,
  type WorkerProcess,
  type WorkerTestEnv,
} from "./testing";

jest.setTimeout(120_000);

// Long enough that a kitchen on another key, queued behind, finishes well within it once the slot is free.
const RETRY_AFTER_SECONDS = 15;

let env: WorkerTestEnv;
let worker: WorkerProcess;
let queues: QueueSet;

beforeAll(async () => {
  await ensureWorkerBuilt();
  env = await createWorkerTestEnv({ properties: 2, rooms: 10, throttlePerMinute: 1_000_000 });
  const workerEnv = env.workerEnv({
    // One slot: whatever holds it holds up every other kitchen.
    WORKER_CONCURRENCY: "1",
    // Retries allowed and time for them: before this change the run slept out Retry-After in its slot.
    NEWBOOK_MAX_RETRIES: "3",
    NEWBOOK_RETRY_MAX_TOTAL_MS: "60000",
  });
  queues = createQueues({ redis: workerEnv.REDIS_URL!, prefix: env.prefix });
  worker = spawnWorker(workerEnv);
  await worker.metricsPort();
});

afterAll(async () => {
  worker.kill("SIGKILL");
  await queues.close();
  await env.close();
});

test("a 429 with a long Retry-After gives the worker slot back until Newbook allows, without using an attempt", async () => {
  const settings = () => ({ syncIntervalMinutes: 60, isEnabled: false });
  const [throttled] = await env.seedKitchens(1, settings, () => 0);
  const [other] = await env.seedKitchens(1, settings, () => 1);
  const throttledProperty = env.sim.properties[0]!.id;
  await env.control("POST", `/properties/${throttledProperty}/faults`, {
    type: "http429",
    count: 1,
    actions: ["bookings_list"],
    retry_after_seconds: RETRY_AFTER_SECONDS,
  });

  const throttledRun = randomUUID();
  await enqueueSyncNow(queues, throttled!, throttledRun);
  // What the pages read while it waits: queued, and why.
  const waiting = await until(
    "the throttled kitchen's run back in the queue",
    async () => {
      const run = await env.runById(throttledRun);
      return run?.status === "queued" && run.errorCode === "rate_limited" ? run : undefined;
    },
    30_000,
  );
  expect(waiting.errorMessage).toContain(`pause for ${RETRY_AFTER_SECONDS} s`);
  expect(waiting.finishedAt).toBeNull();
  const [delayed] = await queues.frequent.getJobs(["delayed"]);
  expect(delayed?.attemptsMade).toBe(0);

  // The only slot is free: a kitchen on another key syncs while the throttled one waits.
  const otherRun = randomUUID();
  await enqueueSyncNow(queues, other!, otherRun);
  await until(
    "the other kitchen synced",
    async () => (await env.runById(otherRun))?.status === "success",
    30_000,
  );
  expect((await env.runById(throttledRun))?.status).toBe("queued");

  const done = await until(
    "the throttled kitchen synced once Newbook allowed",
    async () => {
      const run = await env.runById(throttledRun);
      return run?.status === "success" ? run : undefined;
    },
    RETRY_AFTER_SECONDS * 1000 * 3,
  );
  // One attempt, no failure recorded, and started again no earlier than Retry-After allowed.
  expect(done).toMatchObject({ attempt: 1, errorCode: null, errorMessage: null });
  const deferred = worker.logs.find((line) => line.outcome === "deferred" && line.run_id === throttledRun);
  expect(deferred).toMatchObject({ wait_ms: RETRY_AFTER_SECONDS * 1000 });
  expect(done.startedAt!.getTime() - new Date(String(deferred!.timestamp)).getTime()).toBeGreaterThanOrEqual(
    RETRY_AFTER_SECONDS * 1000,
  );
});
