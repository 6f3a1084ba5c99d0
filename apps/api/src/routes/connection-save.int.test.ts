import { readKitchenSchedule } from "@occ/core";
import { newbookConnections, newbookFrequentSyncSettings, syncRuns } from "@occ/db";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import { SimControl } from "@occ/testkit";
import { eq } from "drizzle-orm";
import request from "supertest";
import { addKitchenWithManager, type Harness, startHarness, type TestKitchen } from "../testing/harness";
import { simulatorConnection } from "../testing/simulator";

/** Saving a Newbook connection: tested first, then saved, the back-off reset and a sync started at once. */
describe("PUT /api/settings/newbook-connection", () => {
  let h: Harness;
  let sim: RunningSimulator;
  let control: SimControl;
  const path = "/api/settings/newbook-connection";
  const settingsPath = "/api/settings/newbook-frequent-sync";
  const as = (k: TestKitchen) => ({ Authorization: `Bearer ${k.token}` });

  beforeAll(async () => {
    sim = await startSimulator({ properties: 1, rooms: 12, seed: 11 });
    control = new SimControl(sim.controlUrl);
    h = await startHarness({
      env: { SYNC_MINUTE_MS: "1000", NEWBOOK_RETRY_BASE_MS: "1", NEWBOOK_TIMEOUT_MS: "2000" },
    });
  });
  afterAll(async () => {
    await h.close();
    await sim.close();
  });
  afterEach(() => control.reset());

  const property = () => sim.properties[0]!;
  const credentials = () => simulatorConnection(sim);
  const settingsRow = async (k: TestKitchen) =>
    (
      await h.db.handle.db
        .select()
        .from(newbookFrequentSyncSettings)
        .where(eq(newbookFrequentSyncSettings.kitchenId, k.id))
    )[0]!;
  const connectionRow = async (k: TestKitchen) =>
    (await h.db.handle.db.select().from(newbookConnections).where(eq(newbookConnections.kitchenId, k.id)))[0];

  it.each([
    ["Europe/Paris", "eu"],
    ["Europe/London", "uk"],
    ["Australia/Sydney", "au"],
    ["America/New_York", "us"],
    ["Pacific/Auckland", "au"],
    ["Asia/Singapore", "ap"],
    ["UTC", null],
  ])("suggests the region from the kitchen's zone (%s -> %s)", async (timezone, region) => {
    const k = await addKitchenWithManager(h, `Zone ${timezone}`, timezone);
    const res = await request(h.app).get(path).set(as(k));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ configured: false, region: null, suggested_region: region });
  });

  it("saves nothing when the test of new credentials fails, unless the manager confirms", async () => {
    const k = await addKitchenWithManager(h, "Rejected", "Europe/Paris");
    const wrong = { ...credentials(), password: "not-the-password" };
    const refused = await request(h.app).put(path).set(as(k)).send(wrong);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: "connection_test_failed",
      details: { reason: "Newbook rejected the username or password" },
    });
    expect(await connectionRow(k)).toBeUndefined();

    const confirmed = await request(h.app)
      .put(path)
      .set(as(k))
      .send({ ...wrong, save_if_test_fails: true });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      configured: true,
      verified_at: null,
      test: { ok: false, reason: "Newbook rejected the username or password" },
      sync_run_id: expect.any(String),
    });
    // Saved, but not synced on its own before it has worked: no scheduler, and the page is told why.
    const settings = await request(h.app).get(settingsPath).set(as(k));
    expect(settings.body).toMatchObject({
      is_enabled: true,
      next_sync_at: null,
      schedule_off_reason: "connection_untested",
    });
    expect(await readKitchenSchedule(h.queues, k.id)).toBeNull();
    // Turning automatic sync on does not get round it.
    const enabled = await request(h.app).patch(settingsPath).set(as(k)).send({ is_enabled: true });
    expect(enabled.body).toMatchObject({ next_sync_at: null, schedule_off_reason: "connection_untested" });
    expect(await readKitchenSchedule(h.queues, k.id)).toBeNull();
  });

  it("a new kitchen syncs on its own once its connection passes, and a save syncs at once", async () => {
    const k = await addKitchenWithManager(h, "Fresh", "Europe/Paris");
    const before = await request(h.app).get(settingsPath).set(as(k));
    expect(before.body).toMatchObject({ next_sync_at: null, schedule_off_reason: "not_connected" });

    const saved = await request(h.app).put(path).set(as(k)).send(credentials());
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      configured: true,
      verified_at: expect.any(String),
      test: { ok: true, rooms: 12 },
      schedule_pending: false,
      sync_run_id: expect.any(String),
    });
    const [run] = await h.db.handle.db.select().from(syncRuns).where(eq(syncRuns.id, saved.body.sync_run_id));
    expect(run).toMatchObject({ kitchenId: k.id, trigger: "sync_now", status: "queued" });
    expect(await h.queues.frequent.getJob(saved.body.sync_run_id)).toBeDefined();
    expect(await readKitchenSchedule(h.queues, k.id)).not.toBeNull();
    const settings = await request(h.app).get(settingsPath).set(as(k));
    expect(settings.body).toMatchObject({ schedule_off_reason: null, next_sync_at: expect.any(String) });
  });

  it("starts no sync when automatic sync is off", async () => {
    const k = await addKitchenWithManager(h, "Off", "Europe/Paris");
    await request(h.app).patch(settingsPath).set(as(k)).send({ is_enabled: false });
    const saved = await request(h.app).put(path).set(as(k)).send(credentials());
    expect(saved.body).toMatchObject({ test: { ok: true }, sync_run_id: null });
    expect(await h.db.handle.db.select().from(syncRuns).where(eq(syncRuns.kitchenId, k.id))).toEqual([]);
  });

  it("does not test again when only the meal mapping changes", async () => {
    const k = await addKitchenWithManager(h, "Mapping", "Europe/Paris");
    expect((await request(h.app).put(path).set(as(k)).send(credentials())).status).toBe(200);
    const since = (await control.requests()).at(-1)?.seq ?? 0;
    // Newbook now refuses every login: a mapping-only save must not need it.
    await control.addFault(property().id, { type: "http401", count: 100 });
    const { password: _p, api_key: _k, ...rest } = credentials();
    const res = await request(h.app)
      .put(path)
      .set(as(k))
      .send({ ...rest, breakfast_gl_account_ids: ["7"] });
    expect(res.status).toBe(200);
    expect(res.body.test).toBeUndefined();
    expect(res.body.verified_at).toEqual(expect.any(String));
    expect(await control.requests(since)).toEqual([]);
  });

  it("resets the back-off and lifts a rejected-login pause on save", async () => {
    const k = await addKitchenWithManager(h, "Backoff", "Europe/Paris");
    expect((await request(h.app).put(path).set(as(k)).send(credentials())).status).toBe(200);
    await h.db.handle.db
      .update(newbookFrequentSyncSettings)
      .set({ consecutiveFailures: 7, lastErrorCode: "newbook_auth", lastSyncStatus: "failed" })
      .where(eq(newbookFrequentSyncSettings.kitchenId, k.id));
    const paused = await request(h.app).get(settingsPath).set(as(k));
    expect(paused.body).toMatchObject({ schedule_off_reason: "credentials_rejected", next_sync_at: null });

    const res = await request(h.app)
      .put(path)
      .set(as(k))
      .send({ ...credentials(), password: property().password });
    expect(res.status).toBe(200);
    const row = await settingsRow(k);
    expect(row).toMatchObject({ consecutiveFailures: 0, lastErrorCode: null });
    const after = await request(h.app).get(settingsPath).set(as(k));
    expect(after.body).toMatchObject({
      schedule_off_reason: null,
      effective_interval_minutes: after.body.sync_interval_minutes,
      next_sync_at: expect.any(String),
    });
  });

  it("a passed test of exactly the saved credentials lets a saved-anyway connection sync on its own", async () => {
    const k = await addKitchenWithManager(h, "Later", "Europe/Paris");
    // Newbook is down while the manager saves: the test fails, they keep the (right) credentials anyway.
    await control.addFault(property().id, { type: "http503", count: 100 });
    const saved = await request(h.app)
      .put(path)
      .set(as(k))
      .send({ ...credentials(), save_if_test_fails: true });
    expect(saved.body).toMatchObject({ verified_at: null, test: { ok: false } });
    await control.reset();

    expect((await connectionRow(k))!.verifiedAt).toBeNull();
    const passed = await request(h.app).post(`${path}/test`).set(as(k));
    expect(passed.body.ok).toBe(true);
    expect((await connectionRow(k))!.verifiedAt).toBeInstanceOf(Date);
    const settings = await request(h.app).get(settingsPath).set(as(k));
    expect(settings.body).toMatchObject({ schedule_off_reason: null, next_sync_at: expect.any(String) });
  });
});
