import { randomUUID } from "node:crypto";
import { enqueueSyncNow, type QueueSet } from "@occ/core";
import { dailyOccupancy } from "@occ/db";
import { until } from "@occ/testkit";
import { asc, eq } from "drizzle-orm";
import {
  startWorkerFixture,
  stopWorkerFixture,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";

jest.setTimeout(90_000);

let env: WorkerTestEnv;
let queues: QueueSet;
let worker: WorkerProcess;

function finishedRun(runId: string) {
  return until(`run ${runId} to finish`, async () => {
    const run = await env.runById(runId);
    return run && run.status !== "queued" && run.status !== "running" && run;
  });
}

async function dailyRows(kitchenId: number) {
  return env.testDb.handle.db
    .select()
    .from(dailyOccupancy)
    .where(eq(dailyOccupancy.kitchenId, kitchenId))
    .orderBy(asc(dailyOccupancy.date));
}

beforeAll(async () => {
  ({ env, queues, worker } = await startWorkerFixture(
    { properties: 1, rooms: 10, throttlePerMinute: 1_000_000 },
    // JOB_LOCK_MS 3000 gives a 1 s kitchen lock, renewed every third of a second.
    () => ({ SYNC_MINUTE_MS: "200", JOB_LOCK_MS: "3000" }),
  ));
});

afterAll(() => stopWorkerFixture({ env, queues, worker }));

it("does not commit a sync whose kitchen lock vanished mid-run, and records it as skipped", async () => {
  const [kitchenId] = (await env.seedKitchens(1, () => ({ syncIntervalMinutes: 60, isEnabled: false }))) as [
    number,
  ];
  const first = randomUUID();
  await enqueueSyncNow(queues, kitchenId, first);
  expect((await finishedRun(first)).status).toBe("success");
  const before = await dailyRows(kitchenId);
  expect(before.length).toBeGreaterThan(0);

  // A change the fenced run would write, fetched slowly enough to lose the lock meanwhile.
  const today = before[0]!.date;
  await env.control("POST", `/properties/${env.sim.properties[0]!.id}/bookings`, {
    arrival: today,
    departure: before[2]!.date,
    adults: 2,
  });
  await env.control("PUT", "/latency", { ms: 2_000 });
  const fenced = randomUUID();
  await enqueueSyncNow(queues, kitchenId, fenced);
  await worker.waitForLog((l) => l.message === "sync started" && l.run_id === fenced);
  expect(await env.redis.del(`${env.prefix}:kitchen-lock:${kitchenId}`)).toBe(1);

  const run = await finishedRun(fenced);
  expect(run).toMatchObject({ status: "skipped", errorCode: "skipped" });
  expect(run.errorMessage).toMatch(/lock was lost/);
  expect(await dailyRows(kitchenId)).toEqual(before);
  const skipped = await worker.waitForLog((l) => l.message === "sync skipped" && l.run_id === fenced);
  expect(skipped).toMatchObject({ outcome: "skipped" });
  expect(worker.logs.some((l) => l.message === "sync finished" && l.run_id === fenced)).toBe(false);

  // The kitchen is not left blocked: the next run commits the change.
  await env.control("PUT", "/latency", { ms: 0 });
  const next = randomUUID();
  await enqueueSyncNow(queues, kitchenId, next);
  expect((await finishedRun(next)).status).toBe("success");
  const after = await dailyRows(kitchenId);
  expect(after[0]!.adults - before[0]!.adults).toBe(2);
});
