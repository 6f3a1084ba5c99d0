import { randomUUID } from "node:crypto";
import { enqueueSyncNow, QUEUE_NAMES, rateLimiterFromConfig, sampleQueueDepths } from "@occ/core";
import { syncRuns } from "@occ/db";
import { until } from "@occ/testkit";
import { Worker } from "bullmq";
import request from "supertest";
import {
  addAdmin,
  addKitchenWithManager,
  type Harness,
  startHarness,
  TEST_REDIS_URL,
  type TestKitchen,
} from "../testing/harness";

describe("GET /api/admin/fleet (the fleet at a glance)", () => {
  let h: Harness;
  let k: TestKitchen;
  let auth: { Authorization: string };
  let worker: Worker;
  let release: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });

  beforeAll(async () => {
    h = await startHarness();
    k = await addKitchenWithManager(h, "Fleet");
    auth = { Authorization: `Bearer ${(await addAdmin(h)).token}` };
  });
  afterAll(async () => {
    release();
    await worker?.close();
    await h.close();
  });

  it("shows workers with their running jobs, queue depths and trend, throughput, lag and Newbook budgets", async () => {
    // A worker named as ours name themselves (host:pid), holding one job.
    worker = new Worker(QUEUE_NAMES.frequent, () => released, {
      name: "kitchen-box-7:4242",
      connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null },
      prefix: h.prefix,
    });
    await enqueueSyncNow(h.queues, k.id, randomUUID(), "Fleet");
    await enqueueSyncNow(h.queues, k.id, randomUUID(), "Fleet");
    await until("one job running", async () => (await h.queues.frequent.getActiveCount()) === 1);
    // The reconciler's samples (two passes).
    await sampleQueueDepths(
      h.redis,
      h.prefix,
      [h.queues.frequent, h.queues.historical],
      new Date(Date.now() - 60_000),
    );
    await sampleQueueDepths(h.redis, h.prefix, [h.queues.frequent, h.queues.historical], new Date());
    // Three requests on one credential, one Newbook 429 for it; another credential idle.
    const limiter = rateLimiterFromConfig(h.config, h.redis);
    for (let i = 0; i < 3; i++) await limiter.acquire("c0ffee", "harbour@api.newbook.cloud/eu");
    await limiter.acquire("beef42", "pier@api.newbook.cloud/au");
    await limiter.noteThrottled("c0ffee");
    // Ten scheduled runs in the last minutes, started 100..1000 ms after they were due; one failed.
    const now = Date.now();
    await h.db.handle.db.insert(syncRuns).values(
      Array.from({ length: 10 }, (_, i) => {
        const due = now - 120_000 + i * 1000;
        return {
          kitchenId: k.id,
          kind: "frequent",
          trigger: "schedule",
          status: i === 0 ? "failed" : "success",
          windowFrom: "2025-01-01",
          windowTo: "2025-01-07",
          jobId: `repeat:v1:kitchen:${k.id}:${due}`,
          queuedAt: new Date(due),
          startedAt: new Date(due + (i + 1) * 100),
          finishedAt: new Date(due + 5_000),
        };
      }),
    );

    const res = await request(h.app).get("/api/admin/fleet").set(auth);
    expect(res.status).toBe(200);
    expect(res.body.workers).toEqual([
      {
        name: "kitchen-box-7:4242",
        host: "kitchen-box-7",
        pid: 4242,
        queues: ["frequent-sync"],
        running_jobs: 1,
        since: expect.any(String),
      },
    ]);
    expect(Date.parse(res.body.workers[0].since)).toBeLessThanOrEqual(Date.now());
    expect(res.body.queues).toEqual([
      { name: "frequent-sync", waiting: 1, active: 1, delayed: 0, failed: 0 },
      { name: "historical-sync", waiting: 0, active: 0, delayed: 0, failed: 0 },
    ]);
    expect(res.body.queue_trend).toHaveLength(2);
    expect(res.body.queue_trend[1].queues["frequent-sync"]).toEqual({
      waiting: 1,
      active: 1,
      delayed: 0,
      failed: 0,
    });
    expect(res.body.syncs_per_minute).toBe(2); // 10 runs in the last 5 minutes
    expect(res.body.syncs_by_minute.reduce((n: number, m: { runs: number }) => n + m.runs, 0)).toBe(10);
    expect(res.body.schedule_lag_p95_ms).toBe(955); // percentile_cont over 100..1000 ms
    expect(res.body.credentials).toEqual([
      {
        credential: "harbour@api.newbook.cloud/eu",
        requests_in_window: 3,
        limit: h.config.NEWBOOK_RATE_LIMIT,
        throttled_last_hour: 1,
      },
      {
        credential: "pier@api.newbook.cloud/au",
        requests_in_window: 1,
        limit: h.config.NEWBOOK_RATE_LIMIT,
        throttled_last_hour: 0,
      },
    ]);
    expect(res.body.credentials_total).toBe(2);
    // No secret, no hash: credentials are named by username@host/region only.
    expect(JSON.stringify(res.body)).not.toMatch(/c0ffee|beef42/);
  });

  it("is for admins only", async () => {
    const res = await request(h.app)
      .get("/api/admin/fleet")
      .set({ Authorization: `Bearer ${k.token}` });
    expect(res.status).toBe(403);
  });
});
