import { clockTimeIn, createQueues, readKitchenSchedule } from "@occ/core";
import { newbookConnections, newbookFrequentSyncSettings } from "@occ/db";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import { eq } from "drizzle-orm";
import request from "supertest";
import { createApiRedis } from "../index";
import {
  addAdmin,
  addKitchenWithManager,
  type Harness,
  startHarness,
  type TestKitchen,
} from "../testing/harness";
import { simulatorConnection } from "../testing/simulator";

const CONNECTION = {
  base_url: "http://127.0.0.1:9/rest",
  region: "EU",
  username: "harbour",
  password: "sup3r-secret-pass",
  api_key: "api-key-very-secret-123",
  breakfast_gl_account_ids: ["10"],
  dinner_gl_account_ids: ["11", "12"],
};

describe("settings", () => {
  let h: Harness;
  let k: TestKitchen;
  let sim: RunningSimulator;
  const auth = () => ({ Authorization: `Bearer ${k.token}` });
  /** Credentials Newbook (the simulator) accepts: a kitchen is scheduled only once its connection works. */
  const working = () => simulatorConnection(sim);

  beforeAll(async () => {
    sim = await startSimulator({ properties: 1, rooms: 12, seed: 3 });
    h = await startHarness({ env: { SYNC_MINUTE_MS: "1000" } });
    k = await addKitchenWithManager(h);
  });
  afterAll(async () => {
    await h.close();
    await sim.close();
  });

  describe("frequent sync", () => {
    const path = "/api/settings/newbook-frequent-sync";

    it("creates the default row on first read", async () => {
      await h.db.handle.db
        .delete(newbookFrequentSyncSettings)
        .where(eq(newbookFrequentSyncSettings.kitchenId, k.id));
      const res = await request(h.app).get(path).set(auth());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        is_enabled: true,
        sync_interval_minutes: 15,
        days_ahead: 7,
        last_sync_at: null,
        last_sync_status: null,
        last_error_message: null,
        consecutive_failures: 0,
        last_success_at: null,
        next_sync_at: null,
        last_duration_ms: null,
        stale: false,
        effective_interval_minutes: 15,
        busy_hours: [],
        busy_interval_minutes: null,
        change_webhook_min_bookings: 3,
        next_sync_busy: false,
        schedule_off_reason: "not_connected",
        rooms_total: null,
      });
    });

    it.each<[Record<string, unknown>, string, RegExp]>([
      [
        { is_enabled: true, sync_interval_minutes: 7, days_ahead: 7 },
        "sync_interval_minutes",
        /one of: 5, 10, 15, 30, 60/,
      ],
      [{ is_enabled: true, sync_interval_minutes: "15", days_ahead: 7 }, "sync_interval_minutes", /one of/],
      [{ is_enabled: true, sync_interval_minutes: 15, days_ahead: 31 }, "days_ahead", /between 1 and 30/],
      [{ is_enabled: true, sync_interval_minutes: 15, days_ahead: 0 }, "days_ahead", /between 1 and 30/],
      [{ is_enabled: true, sync_interval_minutes: 15, days_ahead: 2.5 }, "days_ahead", /integer/],
      [{ is_enabled: "yes", sync_interval_minutes: 15, days_ahead: 7 }, "is_enabled", /true or false/],
      [{ sync_interval_minutes: 15, days_ahead: 7 }, "is_enabled", /true or false/],
      ...[0, 1001, 2.5, "3"].map((bad): [Record<string, unknown>, string, RegExp] => [
        { is_enabled: true, sync_interval_minutes: 15, days_ahead: 7, change_webhook_min_bookings: bad },
        "change_webhook_min_bookings",
        /change_webhook_min_bookings must be null or an integer between 1 and 1000/,
      ]),
    ])("rejects %j naming %s", async (body, field, message) => {
      const res = await request(h.app).post(path).set(auth()).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
      expect(res.body.error.message).toMatch(message);
      expect(res.body.error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
    });

    it("keeps the change webhook threshold per kitchen: set, turned off with null, kept when omitted", async () => {
      const set = await request(h.app).patch(path).set(auth()).send({ change_webhook_min_bookings: 5 });
      expect(set.status).toBe(200);
      expect(set.body.change_webhook_min_bookings).toBe(5);
      const other = await request(h.app).patch(path).set(auth()).send({ days_ahead: 7 });
      expect(other.body.change_webhook_min_bookings).toBe(5);
      const off = await request(h.app).patch(path).set(auth()).send({ change_webhook_min_bookings: null });
      expect(off.body.change_webhook_min_bookings).toBeNull();
      expect((await request(h.app).get(path).set(auth())).body.change_webhook_min_bookings).toBeNull();
      await request(h.app).patch(path).set(auth()).send({ change_webhook_min_bookings: 3 });
    });

    it("rejects an empty PATCH and a malformed JSON body", async () => {
      const empty = await request(h.app).patch(path).set(auth()).send({});
      expect(empty.status).toBe(400);
      expect(empty.body.error.message).toMatch(/at least one of/);
      const malformed = await request(h.app)
        .post(path)
        .set(auth())
        .set("Content-Type", "application/json")
        .send('{"is_enabled": tru');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe("invalid_json");
    });

    it("saves without a connection but does not schedule", async () => {
      const res = await request(h.app)
        .post(path)
        .set(auth())
        .send({ is_enabled: true, sync_interval_minutes: 30, days_ahead: 10 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        is_enabled: true,
        sync_interval_minutes: 30,
        days_ahead: 10,
        schedule_pending: false,
      });
      expect(await readKitchenSchedule(h.queues, k.id)).toBeNull();
    });

    it("schedules once a connection is saved, and follows every change", async () => {
      const put = await request(h.app).put("/api/settings/newbook-connection").set(auth()).send(working());
      expect(put.status).toBe(200);
      expect(put.body.schedule_pending).toBe(false);
      // 30 scaled minutes of 1000 ms each
      expect(await readKitchenSchedule(h.queues, k.id)).toMatchObject({ everyMs: 30_000 });

      const changed = await request(h.app).patch(path).set(auth()).send({ sync_interval_minutes: 5 });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        sync_interval_minutes: 5,
        days_ahead: 10,
        schedule_pending: false,
      });
      expect(await readKitchenSchedule(h.queues, k.id)).toMatchObject({ everyMs: 5_000 });

      const disabled = await request(h.app).patch(path).set(auth()).send({ is_enabled: false });
      expect(disabled.body.is_enabled).toBe(false);
      expect(await readKitchenSchedule(h.queues, k.id)).toBeNull();

      await request(h.app)
        .post(path)
        .set(auth())
        .send({ is_enabled: true, sync_interval_minutes: 60, days_ahead: 7 });
      const scheduled = await readKitchenSchedule(h.queues, k.id);
      expect(scheduled).toMatchObject({ everyMs: 60_000, jobName: `kitchen ${k.id} · Kitchen` });

      // Renaming the kitchen renames its scheduled jobs (Bull Board) and keeps their next run.
      const admin = await addAdmin(h);
      const renamed = await request(h.app)
        .patch(`/api/admin/kitchens/${k.id}`)
        .set({ Authorization: `Bearer ${admin.token}` })
        .send({ name: "Harbour Kitchen" });
      expect(renamed.status).toBe(200);
      expect(await readKitchenSchedule(h.queues, k.id)).toEqual({
        ...scheduled,
        jobName: `kitchen ${k.id} · Harbour Kitchen`,
      });
      const next = await h.queues.frequent.getJob(`repeat:v1:kitchen:${k.id}:${scheduled!.next}`);
      expect(next?.name).toBe(`kitchen ${k.id} · Harbour Kitchen`);
      const [row] = await h.db.handle.db
        .select()
        .from(newbookFrequentSyncSettings)
        .where(eq(newbookFrequentSyncSettings.kitchenId, k.id));
      expect(row).toMatchObject({ isEnabled: true, syncIntervalMinutes: 60, daysAhead: 7 });
    });

    it("gives the hotel's room count as its last sync stored it, for the interval advice", async () => {
      await h.db.handle.db
        .update(newbookConnections)
        .set({ roomsTotal: 42, roomsRefreshedAt: new Date() })
        .where(eq(newbookConnections.kitchenId, k.id));
      const res = await request(h.app).get(path).set(auth());
      expect(res.status).toBe(200);
      expect(res.body.rooms_total).toBe(42);
    });

    it("reports stale when enabled, connected and without a recent success", async () => {
      await h.db.handle.db
        .update(newbookFrequentSyncSettings)
        .set({
          createdAt: new Date(Date.now() - 3_600_000),
          lastSuccessAt: new Date(Date.now() - 3 * 60 * 1000),
          consecutiveFailures: 4,
          lastSyncStatus: "failed",
        })
        .where(eq(newbookFrequentSyncSettings.kitchenId, k.id));
      const res = await request(h.app).get(path).set(auth());
      // 60 scaled minutes x 1000 ms x 2 = 120 s < 180 s
      expect(res.body).toMatchObject({ stale: true });
      expect(res.body.last_sync_status).toBe("failed");
      // backoff after 3 failures (default): 60 is already the cap
      expect(res.body.effective_interval_minutes).toBe(60);
    });

    it("still saves when Redis is unreachable and says the schedule is pending", async () => {
      const deadUrl = "redis://127.0.0.1:1";
      const deadQueues = createQueues({ redis: deadUrl, prefix: h.prefix });
      for (const q of [deadQueues.frequent, deadQueues.historical]) q.on("error", () => undefined);
      const deadRedis = createApiRedis(deadUrl, h.deps.logger);
      const app = h.makeApp({ queues: deadQueues, redis: deadRedis, redisTimeoutMs: 300 });
      try {
        const started = Date.now();
        const res = await request(app)
          .post(path)
          .set(auth())
          .send({ is_enabled: true, sync_interval_minutes: 10, days_ahead: 3 });
        expect(res.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(3_000);
        expect(res.body).toMatchObject({ sync_interval_minutes: 10, days_ahead: 3, schedule_pending: true });
        expect(res.body.message).toMatch(/reconciler/);
        const get = await request(h.app).get(path).set(auth());
        expect(get.body).toMatchObject({ sync_interval_minutes: 10, days_ahead: 3 });
      } finally {
        deadRedis.disconnect();
        await Promise.race([deadQueues.close(), new Promise((r) => setTimeout(r, 500))]);
      }
    });
  });

  describe("the schedule's truth", () => {
    const path = "/api/settings/newbook-frequent-sync";
    let sk: TestKitchen;
    const as = () => ({ Authorization: `Bearer ${sk.token}` });
    let lastSyncAt: Date;

    /** A zone in which it is now between 02:00 and 21:59, so a 00:00-23:59 window surely holds "now". */
    function middayZone(): string {
      const zones = ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kolkata", "America/New_York"];
      return zones.find((zone) => {
        const hour = Number(clockTimeIn(zone, new Date()).slice(0, 2));
        return hour >= 2 && hour <= 21;
      })!;
    }

    beforeAll(async () => {
      sk = await addKitchenWithManager(h, "Schedule", middayZone());
      // Connected while off (the save's test takes a while), then on, counting from a run 2 s ago.
      await request(h.app).patch(path).set(as()).send({ is_enabled: false });
      const put = await request(h.app).put("/api/settings/newbook-connection").set(as()).send(working());
      expect(put.status).toBe(200);
      lastSyncAt = new Date(Date.now() - 2_000);
      await h.db.handle.db
        .update(newbookFrequentSyncSettings)
        .set({ lastSyncAt, lastSuccessAt: lastSyncAt })
        .where(eq(newbookFrequentSyncSettings.kitchenId, sk.id));
      await request(h.app).patch(path).set(as()).send({ is_enabled: true });
    });

    async function expectNextFromScheduler(
      body: { next_sync_at: string | null },
      everyMs: number,
      requestedAt = 0,
    ) {
      const scheduler = await readKitchenSchedule(h.queues, sk.id);
      expect(scheduler?.everyMs).toBe(everyMs);
      expect(body.next_sync_at).toBe(new Date(scheduler!.next!).toISOString());
      // The next run counts from the last one (or is due at once when that time has passed).
      const due = lastSyncAt.getTime() + everyMs;
      if (due > requestedAt) expect(scheduler!.next).toBe(due);
      else expect(scheduler!.next).toBeGreaterThanOrEqual(requestedAt);
      const get = await request(h.app).get(path).set(as());
      expect(get.body.next_sync_at).toBe(body.next_sync_at);
    }

    it("answers every save with the scheduler's real next run, and none when disabled", async () => {
      const fifteen = await request(h.app).patch(path).set(as()).send({ sync_interval_minutes: 15 });
      await expectNextFromScheduler(fifteen.body, 15_000);
      const thirty = await request(h.app).patch(path).set(as()).send({ sync_interval_minutes: 30 });
      await expectNextFromScheduler(thirty.body, 30_000);

      const disabled = await request(h.app).patch(path).set(as()).send({ is_enabled: false });
      expect(disabled.body).toMatchObject({ next_sync_at: null, schedule_off_reason: "disabled" });
      expect((await request(h.app).get(path).set(as())).body.next_sync_at).toBeNull();

      const enabled = await request(h.app).patch(path).set(as()).send({ is_enabled: true });
      await expectNextFromScheduler(enabled.body, 30_000);
    });

    it("shows the backed-off schedule as soon as anything is saved", async () => {
      await h.db.handle.db
        .update(newbookFrequentSyncSettings)
        .set({ consecutiveFailures: 4 })
        .where(eq(newbookFrequentSyncSettings.kitchenId, sk.id));
      const res = await request(h.app).patch(path).set(as()).send({ days_ahead: 8 });
      expect(res.body.effective_interval_minutes).toBe(60); // 30 doubled twice, capped at 60
      await expectNextFromScheduler(res.body, 60_000);
      await h.db.handle.db
        .update(newbookFrequentSyncSettings)
        .set({ consecutiveFailures: 0 })
        .where(eq(newbookFrequentSyncSettings.kitchenId, sk.id));
    });

    it("runs at the busy interval inside busy hours (kitchen's local time) and says so", async () => {
      const requestedAt = Date.now();
      const res = await request(h.app)
        .patch(path)
        .set(as())
        .send({ busy_hours: [{ start: "00:00", end: "23:59" }], busy_interval_minutes: 5 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        busy_hours: [{ start: "00:00", end: "23:59" }],
        busy_interval_minutes: 5,
        next_sync_busy: true,
        effective_interval_minutes: 5,
      });
      await expectNextFromScheduler(res.body, 5_000, requestedAt);

      const off = await request(h.app).patch(path).set(as()).send({ busy_hours: [] });
      expect(off.body).toMatchObject({ next_sync_busy: false, effective_interval_minutes: 30 });
      await expectNextFromScheduler(off.body, 30_000);
    });

    it.each([
      [
        { busy_hours: [{ start: "06:00", end: "10:00" }], busy_interval_minutes: null },
        "busy_interval_minutes",
      ],
      [{ busy_hours: [{ start: "10:00", end: "06:00" }], busy_interval_minutes: 5 }, "busy_hours"],
      [{ busy_hours: [{ start: "6am", end: "10:00" }], busy_interval_minutes: 5 }, "busy_hours.0.start"],
      [{ busy_interval_minutes: 7 }, "busy_interval_minutes"],
    ])("refuses busy hours %j naming %s", async (body, field) => {
      const res = await request(h.app).patch(path).set(as()).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field })]);
    });
  });

  describe("newbook connection", () => {
    const path = "/api/settings/newbook-connection";
    let other: TestKitchen;
    beforeAll(async () => {
      other = await addKitchenWithManager(h, "Other");
    });
    const as = (kitchen: TestKitchen) => ({ Authorization: `Bearer ${kitchen.token}` });

    it("is unconfigured with defaults before the first save", async () => {
      const res = await request(h.app).get(path).set(as(other));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        configured: false,
        base_url: "https://api.newbook.cloud/rest",
        region: null,
        username: null,
        password_set: false,
        api_key_set: false,
        breakfast_gl_account_ids: [],
        dinner_gl_account_ids: [],
        rooms_total: null,
        updated_at: null,
        verified_at: null,
        suggested_region: "uk",
      });
    });

    it("requires password and api_key on the first save", async () => {
      const res = await request(h.app).put(path).set(as(other)).send({ region: "eu", username: "u" });
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(["password", "api_key"]);
    });

    it.each([
      [{ ...CONNECTION, region: "mars" }, "region", /one of: au, ap, eu, us, uk/],
      [{ ...CONNECTION, base_url: "ftp://x" }, "base_url", /http\(s\) URL/],
      [{ ...CONNECTION, username: "" }, "username", /required/],
      [{ ...CONNECTION, breakfast_gl_account_ids: [1] }, "breakfast_gl_account_ids.0", /strings/],
    ])("rejects %j naming %s", async (body, field, message) => {
      const res = await request(h.app).put(path).set(as(other)).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
    });

    it("stores secrets encrypted, never returns them, and keeps them when omitted", async () => {
      const saved = await request(h.app)
        .put(path)
        .set(as(other))
        // Nothing answers there: the failed test is confirmed, so the secrets are saved all the same.
        .send({ ...CONNECTION, base_url: undefined, save_if_test_fails: true });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({
        configured: true,
        base_url: "https://api.newbook.cloud/rest",
        region: "eu",
        username: "harbour",
        password_set: true,
        api_key_set: true,
        breakfast_gl_account_ids: ["10"],
        dinner_gl_account_ids: ["11", "12"],
      });
      const [row] = await h.db.handle.db
        .select()
        .from(newbookConnections)
        .where(eq(newbookConnections.kitchenId, other.id));
      expect(row!.passwordEnc).not.toContain(CONNECTION.password);
      expect(row!.apiKeyEnc).not.toContain(CONNECTION.api_key);

      // Saved secrets stay bound to the username and region they were saved with.
      const rebound = await request(h.app)
        .put(path)
        .set(as(other))
        .send({ region: "uk", username: "renamed" });
      expect(rebound.status).toBe(400);
      expect(rebound.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        "api_key",
        "password",
      ]);
      // Omitted secrets are kept when nothing they are bound to changes.
      const update = await request(h.app)
        .put(path)
        .set(as(other))
        .send({ region: "eu", username: "harbour", dinner_gl_account_ids: ["11", "12"] });
      expect(update.status).toBe(200);
      expect(update.body).toMatchObject({
        region: "eu",
        username: "harbour",
        password_set: true,
        dinner_gl_account_ids: ["11", "12"],
      });
      const [after] = await h.db.handle.db
        .select()
        .from(newbookConnections)
        .where(eq(newbookConnections.kitchenId, other.id));
      expect(after!.passwordEnc).toBe(row!.passwordEnc);

      const get = await request(h.app).get(path).set(as(other));
      const text = JSON.stringify([saved.body, update.body, get.body]);
      expect(text).not.toContain(CONNECTION.password);
      expect(text).not.toContain(CONNECTION.api_key);
      expect(h.logs.text()).not.toContain(CONNECTION.password);
      expect(h.logs.text()).not.toContain(CONNECTION.api_key);
    });

    it("needs every credential to test when nothing is saved", async () => {
      const fresh = await addKitchenWithManager(h, "Fresh");
      const res = await request(h.app).post(`${path}/test`).set(as(fresh));
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([
        "base_url",
        "region",
        "username",
        "password",
        "api_key",
      ]);
    });
  });
});
