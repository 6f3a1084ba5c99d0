import { effectiveIntervalMinutes, generateEncryptionKey, SecretBox } from "@occ/core";
import { newbookFrequentSyncSettings } from "@occ/db";
import { seedFleet, until } from "@occ/testkit";
import { eq } from "drizzle-orm";
import request from "supertest";
import { saveConnection } from "../services/connection";
import { COUNTS_MAX_AGE_MS } from "../services/kitchens-health";
import { addAdmin, addKitchenWithManager, type Harness, startHarness } from "../testing/harness";

describe("GET /api/admin/kitchens/health (ops view)", () => {
  let h: Harness;
  let ids: number[];
  let auth: { Authorization: string };
  const get = (query: string) => request(h.app).get(`/api/admin/kitchens/health?${query}`).set(auth);

  beforeAll(async () => {
    h = await startHarness();
    auth = { Authorization: `Bearer ${(await addAdmin(h)).token}` };
    ids = await seedFleet(h.db.handle.db, { kitchens: 60, runsPerKitchen: 8 });
  });
  afterAll(() => h.close());

  const expected = (pick: (id: number) => boolean) => ids.filter(pick).length;
  const failing = (id: number) => id % 10 === 0;
  const stale = (id: number) => id % 10 === 1;

  it("pages the fleet with a total and state counts, failing and stale kitchens first", async () => {
    const res = await get("page_size=10");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 60, page: 1, page_size: 10 });
    expect(res.body.kitchens).toHaveLength(10);
    expect(res.body.state_counts).toMatchObject({
      failing: expected(failing),
      stale: expected(stale),
      not_connected: expected((id) => id % 20 === 2),
      disabled: expected((id) => id % 20 === 3),
    });
    const states = res.body.kitchens.map((k: { state: string }) => k.state);
    expect(states.slice(0, expected(failing))).toEqual(Array(expected(failing)).fill("failing"));
    expect(states.slice(expected(failing))).toEqual(Array(10 - expected(failing)).fill("stale"));
    // Among the failing, the longest streak comes first.
    const failures = res.body.kitchens
      .slice(0, 6)
      .map((k: { consecutive_failures: number }) => k.consecutive_failures);
    expect(failures).toEqual([...failures].sort((a, b) => b - a));
  });

  it("says why, since when, the interval with back-off and the open alerts", async () => {
    const res = await get("state=failing&sort=failures&page_size=1");
    const [top] = res.body.kitchens;
    const most = Math.max(...ids.filter(failing).map((id) => 1 + (id % 6)));
    expect(top).toMatchObject({
      state: "failing",
      reason: "Newbook has server errors",
      consecutive_failures: most,
      sync_interval_minutes: 15,
      effective_interval_minutes: effectiveIntervalMinutes(15, most, h.config.BACKOFF_AFTER_FAILURES),
      open_alerts: [expect.objectContaining({ kind: "consecutive_failures", severity: "critical" })],
    });
    // The streak began with the oldest of its failed runs (one every 15 minutes).
    const sinceMs = Date.now() - Date.parse(top.since);
    expect(sinceMs).toBeGreaterThan(most * 15 * 60_000 - 60_000);
    expect(sinceMs).toBeLessThan(most * 15 * 60_000 + 60_000);
    const staleRow = (await get("state=stale&page_size=1")).body.kitchens[0];
    expect(staleRow.reason).toMatch(/twice the 15-minute interval/);
    expect(Date.parse(staleRow.since)).toBe(Date.parse(staleRow.last_success_at) + 30 * 60_000);
  });

  it("filters by state, searches by name and pages to the end", async () => {
    const filtered = await get("state=stale&page_size=200");
    expect(filtered.body.total).toBe(expected(stale));
    expect(filtered.body.kitchens.every((k: { state: string }) => k.state === "stale")).toBe(true);
    const named = await addKitchenWithManager(h, "Harbour 100% View_");
    const search = await get(`q=${encodeURIComponent("100% view_")}`);
    expect(search.body.kitchens.map((k: { id: number }) => k.id)).toEqual([named.id]);
    expect(search.body.kitchens[0]).toMatchObject({
      state: "not_connected",
      reason: "No Newbook connection saved",
    });
    const last = await get("page=7&page_size=10&sort=name");
    expect(last.body.kitchens).toHaveLength(1);
    // The fleet's counts are shared for up to COUNTS_MAX_AGE_MS: the new kitchen shows in them within that.
    const beyond = await until(
      "the fleet's counts to include the new kitchen",
      async () => {
        const res = await get("page=50&page_size=10");
        return res.body.total === 61 && res.body;
      },
      2 * COUNTS_MAX_AGE_MS,
    );
    expect(beyond).toMatchObject({ kitchens: [], total: 61 });
  });

  it("follows every write of a kitchen's row at once: a saved connection, a failed run, a success", async () => {
    const kitchen = await addKitchenWithManager(h, "Follow-the-writes kitchen");
    const stateOf = async () =>
      (await get(`q=${encodeURIComponent("follow-the-writes")}`)).body.kitchens[0].state;
    expect(await stateOf()).toBe("not_connected");
    await saveConnection(
      h.db.handle.db,
      new SecretBox(generateEncryptionKey()),
      kitchen.id,
      {
        base_url: "https://api.newbook.cloud/rest",
        region: "au",
        username: "u",
        password: "p",
        api_key: "k",
      },
      ["api.newbook.cloud"],
    );
    expect(await stateOf()).toBe("never_synced");
    const s = newbookFrequentSyncSettings;
    const where = eq(s.kitchenId, kitchen.id);
    await h.db.handle.db
      .update(s)
      .set({ lastSyncAt: new Date(), lastSyncStatus: "failed", consecutiveFailures: 2 })
      .where(where);
    expect(await stateOf()).toBe("failing");
    await h.db.handle.db
      .update(s)
      .set({ lastSyncStatus: "success", consecutiveFailures: 0, lastSuccessAt: new Date() })
      .where(where);
    expect(await stateOf()).toBe("ok");
  });

  it("pages the attention order across state segments without gaps or repeats, both ways", async () => {
    const all = (await get("page_size=200")).body;
    const paged: Array<{ id: number; state: string }> = [];
    for (let page = 1; page <= Math.ceil(all.kitchens.length / 7); page++)
      paged.push(...(await get(`page=${page}&page_size=7`)).body.kitchens);
    expect(paged.map((k) => k.id)).toEqual(all.kitchens.map((k: { id: number }) => k.id));
    const rank = (state: string) =>
      ["failing", "stale", "never_synced", "running", "ok", "disabled", "not_connected"].indexOf(state);
    const ranks = paged.map((k) => rank(k.state));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const desc = (await get("order=desc&page_size=200")).body.kitchens.map((k: { state: string }) =>
      rank(k.state),
    );
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
  });

  it("sorts by name both ways", async () => {
    const asc = (await get("sort=name&page_size=200")).body.kitchens.map((k: { name: string }) => k.name);
    const desc = (await get("sort=name&order=desc&page_size=200")).body.kitchens.map(
      (k: { name: string }) => k.name,
    );
    expect(asc).toEqual([...asc].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(desc).toEqual([...asc].reverse());
  });

  it.each([
    ["page_size=500", "page_size"],
    ["page=0", "page"],
    ["state=broken", "state"],
    ["sort=colour", "sort"],
  ])("rejects %s naming the field", async (query, field) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe(field);
  });
});

describe("GET /api/admin/kitchens/health: the fleet's shared state counts", () => {
  let h: Harness;
  let ids: number[];
  let auth: { Authorization: string };
  let clock = new Date();
  const get = async (query: string) => {
    const res = await request(h.app).get(`/api/admin/kitchens/health?${query}`).set(auth);
    expect(res.status).toBe(200);
    return res.body as { total: number; state_counts: { failing: number }; counts_as_of: string };
  };
  const at = (ms: number) => new Date(clock.getTime() + ms).toISOString();

  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    auth = { Authorization: `Bearer ${(await addAdmin(h)).token}` };
    ids = await seedFleet(h.db.handle.db, { kitchens: 40, namePrefix: "Shared" });
  });
  afterAll(() => h.close());

  it("are at most COUNTS_MAX_AGE_MS old, say when they were counted, and a search counts at once", async () => {
    const t0 = clock.getTime();
    const first = await get("page_size=5");
    expect(first).toMatchObject({ total: 40, counts_as_of: at(0) });
    const failing = first.state_counts.failing;
    // A kitchen starts failing.
    const healthy = ids.find((id) => id % 10 === 5)!;
    const s = newbookFrequentSyncSettings;
    await h.db.handle.db
      .update(s)
      .set({ lastSyncStatus: "failed", consecutiveFailures: 1 })
      .where(eq(s.kitchenId, healthy));

    // Within the refresh age: the shared counts as they were, saying so.
    clock = new Date(t0 + 500);
    expect(await get("page_size=5")).toMatchObject({
      state_counts: { failing },
      counts_as_of: new Date(t0).toISOString(),
    });
    // A search counts its own kitchens in the page's statement: the truth now.
    expect(await get("q=shared&page_size=5")).toMatchObject({
      state_counts: { failing: failing + 1 },
      counts_as_of: at(0),
    });
    // Past the refresh age: still the old counts, while a recount runs in the background...
    clock = new Date(t0 + 3_000);
    expect((await get("page_size=5")).counts_as_of).toBe(new Date(t0).toISOString());
    // ...which the following requests show.
    const recounted = await until("the background recount", async () => {
      const body = await get("page_size=5");
      return body.counts_as_of === at(0) && body;
    });
    expect(recounted.state_counts.failing).toBe(failing + 1);

    // Past the maximum age the request waits for a recount.
    await h.db.handle.db
      .update(s)
      .set({ lastSyncStatus: "success", consecutiveFailures: 0 })
      .where(eq(s.kitchenId, healthy));
    clock = new Date(t0 + 3_000 + COUNTS_MAX_AGE_MS + 1);
    expect(await get("page_size=5")).toMatchObject({ state_counts: { failing }, counts_as_of: at(0) });
  });
});
