import { randomUUID } from "node:crypto";
import { createQueues, kitchenLockKey } from "@occ/core";
import { syncRuns } from "@occ/db";
import { eq } from "drizzle-orm";
import request from "supertest";
import {
  addAdmin,
  addKitchenWithManager,
  connectKitchen,
  type Harness,
  startHarness,
  type TestKitchen,
} from "../testing/harness";

// 2025-06-01 23:30 UTC is already 2 June in Sydney: the window must follow the kitchen's zone.
const NOW = new Date("2025-06-01T23:30:00Z");

describe("sync control", () => {
  let h: Harness;
  let k: TestKitchen;
  let unconnected: TestKitchen;
  const as = (kitchen: TestKitchen) => ({ Authorization: `Bearer ${kitchen.token}` });

  beforeAll(async () => {
    h = await startHarness({ now: () => NOW });
    k = await addKitchenWithManager(h, "Sydney", "Australia/Sydney");
    unconnected = await addKitchenWithManager(h, "Bare");
    await connectKitchen(h, k.id, {
      region: "au",
      username: "u",
      password: "secret-password",
      api_key: "secret-api-key",
    });
  });
  afterAll(() => h.close());

  describe("sync now", () => {
    it("needs a Newbook connection", async () => {
      const res = await request(h.app).post("/api/newbook/frequent-sync/run").set(as(unconnected));
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({
        code: "no_connection",
        message: "Configure the Newbook connection (Settings → Newbook connection) before syncing",
        details: null,
      });
    });

    it("queues a run over the kitchen's own today and returns it while it is pending", async () => {
      const res = await request(h.app).post("/api/newbook/frequent-sync/run").set(as(k));
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ run_id: expect.any(String), already_running: false });
      const runId = res.body.run_id as string;
      const job = await h.queues.frequent.getJob(runId);
      expect(job?.data).toEqual({ kitchenId: k.id, trigger: "sync_now", runId });

      const run = await request(h.app).get(`/api/newbook/sync-runs/${runId}`).set(as(k));
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({
        id: runId,
        kind: "frequent",
        trigger: "sync_now",
        status: "queued",
        window_from: "2025-06-02",
        window_to: "2025-06-09",
        queued_at: NOW.toISOString(),
        started_at: null,
      });

      const again = await request(h.app).post("/api/newbook/frequent-sync/run").set(as(k));
      expect(again.status).toBe(202);
      expect(again.body).toEqual({ run_id: runId, already_running: true });

      await h.db.handle.db.update(syncRuns).set({ status: "success" }).where(eq(syncRuns.id, runId));
      const next = await request(h.app).post("/api/newbook/frequent-sync/run").set(as(k));
      expect(next.body.already_running).toBe(false);
      expect(next.body.run_id).not.toBe(runId);
      await h.db.handle.db
        .update(syncRuns)
        .set({ status: "success" })
        .where(eq(syncRuns.id, next.body.run_id));
    });

    it("joins at once whatever run holds the kitchen (e.g. a historical sync), queuing nothing", async () => {
      const holder = randomUUID();
      await h.db.handle.db.insert(syncRuns).values({
        id: holder,
        kitchenId: k.id,
        kind: "historical",
        trigger: "historical",
        status: "running",
        windowFrom: "2024-01-01",
        windowTo: "2024-12-31",
      });
      await h.redis.set(kitchenLockKey(h.prefix, k.id), holder, "PX", 60_000);
      try {
        const waitingBefore = await h.queues.frequent.getWaitingCount();
        const res = await request(h.app).post("/api/newbook/frequent-sync/run").set(as(k));
        expect(res.status).toBe(202);
        expect(res.body).toEqual({ run_id: holder, already_running: true });
        expect(await h.queues.frequent.getWaitingCount()).toBe(waitingBefore);
      } finally {
        await h.redis.del(kitchenLockKey(h.prefix, k.id));
        await h.db.handle.db.update(syncRuns).set({ status: "success" }).where(eq(syncRuns.id, holder));
      }
    });

    it("queues its own run when the kitchen's lock holds no run id (never a 500)", async () => {
      await h.redis.set(kitchenLockKey(h.prefix, k.id), "not-a-run-id", "PX", 60_000);
      try {
        const res = await request(h.app).post("/api/newbook/frequent-sync/run").set(as(k));
        expect(res.status).toBe(202);
        expect(res.body.already_running).toBe(false);
        await h.db.handle.db
          .update(syncRuns)
          .set({ status: "success" })
          .where(eq(syncRuns.id, res.body.run_id));
      } finally {
        await h.redis.del(kitchenLockKey(h.prefix, k.id));
      }
    });

    it("gives concurrent clicks one run", async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => request(h.app).post("/api/newbook/frequent-sync/run").set(as(k))),
      );
      const ids = new Set(results.map((r) => r.body.run_id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.body.already_running === false)).toHaveLength(1);
      await h.db.handle.db
        .update(syncRuns)
        .set({ status: "success" })
        .where(eq(syncRuns.id, [...ids][0]));
    });

    it("answers 503 and records the failure when the queue is unreachable", async () => {
      const dead = createQueues({ redis: "redis://127.0.0.1:1", prefix: h.prefix });
      for (const q of [dead.frequent, dead.historical]) q.on("error", () => undefined);
      try {
        const app = h.makeApp({ queues: dead, redisTimeoutMs: 200 });
        const res = await request(app).post("/api/newbook/frequent-sync/run").set(as(k));
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe("queue_unavailable");
        const [failed] = await h.db.handle.db
          .select()
          .from(syncRuns)
          .where(eq(syncRuns.errorCode, "queue_unavailable"));
        expect(failed?.status).toBe("failed");
      } finally {
        await Promise.race([dead.close(), new Promise((r) => setTimeout(r, 300))]);
      }
    });
  });

  describe("sync runs", () => {
    let other: TestKitchen;
    beforeAll(async () => {
      other = await addKitchenWithManager(h, "Runs");
      const base = Date.parse("2025-05-01T00:00:00Z");
      await h.db.handle.db.insert(syncRuns).values(
        Array.from({ length: 7 }, (_, i) => ({
          kitchenId: other.id,
          kind: "frequent",
          trigger: "schedule",
          status: i % 3 === 0 ? "failed" : "success",
          windowFrom: "2025-05-01",
          windowTo: "2025-05-08",
          queuedAt: new Date(base + i * 60_000),
        })),
      );
    });

    it("pages newest first with a cursor", async () => {
      const first = await request(h.app).get("/api/newbook/sync-runs?limit=3").set(as(other));
      expect(first.status).toBe(200);
      expect(first.body.runs).toHaveLength(3);
      expect(first.body.runs[0].queued_at).toBe("2025-05-01T00:06:00.000Z");
      const seen = [...first.body.runs];
      let cursor = first.body.next_before as string | null;
      while (cursor) {
        const page = await request(h.app)
          .get(`/api/newbook/sync-runs?limit=3&before=${encodeURIComponent(cursor)}`)
          .set(as(other));
        seen.push(...page.body.runs);
        cursor = page.body.next_before;
      }
      expect(seen.map((r) => r.queued_at)).toEqual(
        Array.from({ length: 7 }, (_, i) =>
          new Date(Date.parse("2025-05-01T00:06:00Z") - i * 60_000).toISOString(),
        ),
      );
      const failed = await request(h.app).get("/api/newbook/sync-runs?status=failed").set(as(other));
      expect(failed.body.runs).toHaveLength(3);
      expect(failed.body.next_before).toBeNull();
    });

    it.each([
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=abc", "limit"],
      ["before=yesterday", "before"],
      ["status=done", "status"],
    ])("rejects ?%s", async (query, field) => {
      const res = await request(h.app).get(`/api/newbook/sync-runs?${query}`).set(as(other));
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe(field);
    });

    it("answers 404 for an unknown run and 400 for a malformed id", async () => {
      const missing = await request(h.app)
        .get("/api/newbook/sync-runs/00000000-0000-4000-8000-000000000000")
        .set(as(other));
      expect(missing.status).toBe(404);
      const malformed = await request(h.app).get("/api/newbook/sync-runs/123").set(as(other));
      expect(malformed.status).toBe(400);
    });
  });

  describe("historical sync", () => {
    it.each([
      [{ date_from: "2025-01-10", date_to: "2025-01-01" }, "date_to", /not be before/],
      [{ date_from: "2023-01-01", date_to: "2025-01-01" }, "date_to", /at most 731 days/],
      [{ date_from: "2025-02-30", date_to: "2025-03-01" }, "date_from", /valid date/],
      [{ date_from: "2025-01-01" }, "date_to", /date/],
    ])("rejects %j", async (body, field, message) => {
      const res = await request(h.app).post("/api/newbook/sync").set(as(k)).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
    });

    it("queues a job, reports progress and resumes only failed runs", async () => {
      const res = await request(h.app)
        .post("/api/newbook/sync")
        .set(as(k))
        .send({ date_from: "2024-01-01", date_to: "2024-12-31" });
      expect(res.status).toBe(202);
      const { job_id: jobId, run_id: runId } = res.body as { job_id: string; run_id: string };
      expect((await h.queues.historical.getJob(jobId))?.data).toEqual({
        kitchenId: k.id,
        runId,
        dateFrom: "2024-01-01",
        dateTo: "2024-12-31",
      });

      const queued = await request(h.app).get(`/api/newbook/sync/${jobId}`).set(as(k));
      expect(queued.body).toEqual({
        job_id: jobId,
        run_id: runId,
        state: "queued",
        progress: { done: 0, total: 0, percent: 0 },
        error_message: null,
      });

      const notFailed = await request(h.app).post(`/api/newbook/sync/${jobId}/resume`).set(as(k));
      expect(notFailed.status).toBe(409);
      expect(notFailed.body.error.code).toBe("not_resumable");

      await h.db.handle.db
        .update(syncRuns)
        .set({ status: "failed", progressDone: 120, progressTotal: 366, errorMessage: "Newbook is down" })
        .where(eq(syncRuns.id, runId));
      const failed = await request(h.app).get(`/api/newbook/sync/${jobId}`).set(as(k));
      expect(failed.body).toMatchObject({
        state: "failed",
        progress: { done: 120, total: 366, percent: 32.8 },
        error_message: "Newbook is down",
      });

      // Resuming never rewrites the failed run: it becomes a new run linked to it (retry_of).
      const resumed = await request(h.app).post(`/api/newbook/sync/${jobId}/resume`).set(as(k));
      expect(resumed.status).toBe(202);
      const newJobId = resumed.body.job_id as string;
      expect((await h.queues.historical.getJob(newJobId))?.data).toEqual({
        kitchenId: k.id,
        runId: newJobId,
        retryOf: runId,
        dateFrom: "2024-01-01",
        dateTo: "2024-12-31",
      });
      const byOld = await request(h.app).get(`/api/newbook/sync/${jobId}`).set(as(k));
      expect(byOld.body).toMatchObject({ run_id: runId, state: "failed", error_message: "Newbook is down" });
      const byNew = await request(h.app).get(`/api/newbook/sync/${newJobId}`).set(as(k));
      expect(byNew.body).toMatchObject({
        job_id: newJobId,
        run_id: newJobId,
        state: "queued",
        progress: { done: 120, total: 366 },
        error_message: null,
      });
      const [row] = await h.db.handle.db.select().from(syncRuns).where(eq(syncRuns.id, newJobId));
      expect(row!.retryOf).toBe(runId);
      // The failed run has been resumed once; a second resume of it is refused.
      const again = await request(h.app).post(`/api/newbook/sync/${jobId}/resume`).set(as(k));
      expect(again.status).toBe(409);
    });

    it("lists the kitchen's historical syncs server-side: any tab, device or admin sees who started what", async () => {
      const admin = await addAdmin(h);
      const asAdmin = { Authorization: `Bearer ${admin.token}` };
      const mine = await request(h.app)
        .post("/api/newbook/sync")
        .set(as(k))
        .send({ date_from: "2025-03-01", date_to: "2025-03-31" });
      // The admin, switched to the kitchen, starts one too and follows the manager's by its job id.
      const theirs = await request(h.app)
        .post(`/api/newbook/sync?kitchen_id=${k.id}`)
        .set(asAdmin)
        .send({ date_from: "2025-04-01", date_to: "2025-04-02" });
      expect(theirs.status).toBe(202);
      const followed = await request(h.app)
        .get(`/api/newbook/sync/${mine.body.job_id}?kitchen_id=${k.id}`)
        .set(asAdmin);
      expect(followed.status).toBe(200);

      const fromAdmin = await request(h.app)
        .get(`/api/newbook/historical-syncs?kitchen_id=${k.id}`)
        .set(asAdmin);
      const fromManager = await request(h.app).get("/api/newbook/historical-syncs").set(as(k));
      expect(fromAdmin.status).toBe(200);
      expect(fromManager.body).toEqual(fromAdmin.body);
      const byRun = (runId: string) =>
        fromManager.body.syncs.find((sync: { run_id: string }) => sync.run_id === runId);
      // Newest first (the earlier tests' runs were queued at the harness's fixed NOW or at the real time).
      const queuedAt = fromManager.body.syncs.map((sync: { queued_at: string }) => sync.queued_at);
      expect(queuedAt).toEqual([...queuedAt].sort().reverse());
      expect(byRun(theirs.body.run_id)).toEqual({
        job_id: theirs.body.job_id,
        run_id: theirs.body.run_id,
        state: "queued",
        progress: { done: 0, total: 0, percent: 0 },
        error_message: null,
        date_from: "2025-04-01",
        date_to: "2025-04-02",
        requested_by: { id: admin.id, email: admin.email },
        queued_at: NOW.toISOString(),
        started_at: null,
        finished_at: null,
        retry_of: null,
        resumed_by: null,
      });
      expect(byRun(mine.body.run_id)).toMatchObject({
        date_from: "2025-03-01",
        requested_by: { email: k.email },
      });
      // The resumed run of the earlier test names the one it resumes, and that one its resume.
      const resumed = fromManager.body.syncs.find((sync: { retry_of: string | null }) => sync.retry_of);
      const original = fromManager.body.syncs.find(
        (sync: { run_id: string }) => sync.run_id === resumed.retry_of,
      );
      expect(original).toMatchObject({ state: "failed", resumed_by: resumed.run_id });
      expect(resumed.requested_by).toEqual({ id: expect.any(Number), email: k.email });

      const other = await request(h.app).get("/api/newbook/historical-syncs").set(as(unconnected));
      expect(other.body).toEqual({ syncs: [] });
      const limited = await request(h.app).get("/api/newbook/historical-syncs?limit=1").set(as(k));
      expect(limited.body.syncs).toHaveLength(1);
      const bad = await request(h.app).get("/api/newbook/historical-syncs?limit=0").set(as(k));
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([{ field: "limit", message: expect.any(String) }]);
    });

    it("names every job after its kitchen (Bull Board lists them by name)", async () => {
      const historical = await request(h.app)
        .post("/api/newbook/sync")
        .set(as(k))
        .send({ date_from: "2025-05-01", date_to: "2025-05-02" });
      expect((await h.queues.historical.getJob(historical.body.job_id))?.name).toBe(
        `kitchen ${k.id} · Sydney`,
      );
      await h.db.handle.db.update(syncRuns).set({ status: "success" }).where(eq(syncRuns.kitchenId, k.id));
      const now = await request(h.app).post("/api/newbook/frequent-sync/run").set(as(k));
      expect((await h.queues.frequent.getJob(now.body.run_id))?.name).toBe(`kitchen ${k.id} · Sydney`);
    });

    it("answers 404 for an unknown job", async () => {
      const res = await request(h.app).get("/api/newbook/sync/nope").set(as(k));
      expect(res.status).toBe(404);
    });
  });

  describe("sync stats", () => {
    let statsKitchen: TestKitchen;
    beforeAll(async () => {
      statsKitchen = await addKitchenWithManager(h, "Stats");
      const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);
      const run = (
        minutesAgo: number,
        status: string,
        durationMs: number | null,
        errorCode: string | null = null,
      ) => ({
        kitchenId: statsKitchen.id,
        kind: "frequent",
        trigger: "schedule",
        status,
        windowFrom: "2025-06-01",
        windowTo: "2025-06-08",
        queuedAt: at(minutesAgo),
        finishedAt: at(minutesAgo - 1),
        durationMs,
        errorCode,
        errorMessage: errorCode ? `failed: ${errorCode}` : null,
      });
      await h.db.handle.db
        .insert(syncRuns)
        .values([
          run(10, "success", 1000),
          run(20, "success", 3000),
          run(70, "failed", 5000, "newbook_server"),
          run(130, "failed", 2000, "database"),
          run(140, "skipped", null),
          run(3 * 24 * 60, "success", 9000),
        ]);
    });

    it("summarises the last 24 hours in hourly buckets", async () => {
      const res = await request(h.app).get("/api/newbook/sync-stats").set(as(statsKitchen));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        period: "24h",
        runs: 5,
        successes: 2,
        failures: 2,
        skipped: 1,
        success_rate: 0.5,
        avg_duration_ms: 2750,
        p95_duration_ms: 5000,
        newbook_error_rate: 0.25,
        last_failure: {
          at: new Date(NOW.getTime() - 69 * 60_000).toISOString(),
          message: "failed: newbook_server",
        },
      });
      expect(res.body.series).toHaveLength(24);
      expect(res.body.series.at(-1)).toEqual({
        bucket_start: "2025-06-01T23:00:00.000Z",
        runs: 2,
        failures: 0,
        avg_duration_ms: 2000,
      });
    });

    it("summarises 7 days in daily buckets and validates the period", async () => {
      const res = await request(h.app).get("/api/newbook/sync-stats?period=7d").set(as(statsKitchen));
      expect(res.body).toMatchObject({ period: "7d", runs: 6, successes: 3 });
      expect(res.body.series).toHaveLength(7);
      const bad = await request(h.app).get("/api/newbook/sync-stats?period=1y").set(as(statsKitchen));
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/one of: 24h, 7d/);
    });
  });
});
