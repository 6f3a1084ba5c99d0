import { type RunningSimulator, startSimulator } from "./server";
import { call, control, rows, type Wire } from "./test-support";

const TODAY = "2025-06-15";

describe("control API: properties and booking mutations", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 3,
      properties: 2,
      rooms: 20,
      today: TODAY,
      timezones: ["Australia/Sydney"],
    });
  });
  afterAll(() => sim.close());
  const p1 = () => sim.properties[0]!;

  it("lists properties with credentials, timezone, rooms and today", async () => {
    const r = await control<{ properties: Wire[] }>(sim, "GET", "/properties");
    expect(r.status).toBe(200);
    expect(r.body.properties).toHaveLength(2);
    expect(r.body.properties[0]).toMatchObject({
      id: p1().id,
      username: p1().username,
      password: p1().password,
      api_key: p1().apiKey,
      region: "au",
      timezone: "Australia/Sydney",
      rooms: 20,
      today: TODAY,
    });
    expect(sim.properties[1]!.timezone).toBe("Pacific/Auckland");
  });

  it("reflects add, modify (room move) and cancel in bookings_list", async () => {
    const staying = { list_type: "staying", period_from: "2027-01-10", period_to: "2027-01-11" };
    const added = await control<Wire>(sim, "POST", "/properties/p1/bookings", {
      arrival: "2027-01-10",
      departure: "2027-01-12",
      adults: 2,
      children: 1,
      meals: "dbb",
      site_id: 3,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ site_id: "3", booking_status: "Confirmed", booking_children: "1" });
    const id = Number(added.body.booking_id);
    let r = await call(sim, p1(), "bookings_list", staying);
    expect(rows(r).map((b) => Number(b.booking_id))).toEqual([id]);
    expect((rows(r)[0]!.inventory_items as Wire[]).map((i) => i.description)).toEqual([
      "Breakfast",
      "Dinner",
      "Breakfast",
      "Dinner",
    ]);

    const moved = await control<Wire>(sim, "PATCH", `/properties/p1/bookings/${id}`, {
      site_id: 4,
      meals: "bb",
    });
    expect(moved.status).toBe(200);
    r = await call(sim, p1(), "bookings_get", { booking_id: String(id) });
    expect((r.json.data as Wire).site_id).toBe("4");
    expect(
      ((r.json.data as Wire).inventory_items as Wire[]).every((i) => i.description === "Breakfast"),
    ).toBe(true);
    const modifiedFeed = await call(sim, p1(), "bookings_list", {
      list_type: "all",
      period_from: "2000-01-01",
      period_to: "2100-01-01",
      data_limit: 1000,
      data_offset: 0,
    });
    expect(Number(modifiedFeed.json.data_total)).toBeGreaterThan(0);

    const cancelled = await control<Wire>(sim, "POST", `/properties/p1/bookings/${id}/cancel`);
    expect(cancelled.body.booking_status).toBe("Cancelled");
    expect(rows(await call(sim, p1(), "bookings_list", staying))).toEqual([]);
    const cancelledList = await call(sim, p1(), "bookings_list", {
      list_type: "cancelled",
      period_from: TODAY,
      period_to: "2025-06-16",
      data_limit: 1000,
    });
    expect(rows(cancelledList).map((b) => Number(b.booking_id))).toContain(id);
    expect((await control(sim, "POST", `/properties/p1/bookings/${id}/cancel`)).status).toBe(409);
  });

  it("prevents double-booking and validates input with clear 400s", async () => {
    const body = { arrival: "2027-02-01", departure: "2027-02-03", adults: 1, site_id: 5 };
    expect((await control(sim, "POST", "/properties/p1/bookings", body)).status).toBe(201);
    const clash = await control<Wire>(sim, "POST", "/properties/p1/bookings", {
      ...body,
      arrival: "2027-02-02",
    });
    expect(clash.status).toBe(409);
    expect(String(clash.body.error)).toContain("already booked");
    const unallocated = await control<Wire>(sim, "POST", "/properties/p1/bookings", {
      ...body,
      site_id: null,
    });
    expect(unallocated.body.site_id).toBeNull();

    const bad = await control<Wire>(sim, "POST", "/properties/p1/bookings", {
      arrival: "2027-02-30",
      adults: 0,
    });
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toMatch(/arrival|departure|adults/);
    const backwards = await control<Wire>(sim, "POST", "/properties/p1/bookings", {
      arrival: "2027-02-05",
      departure: "2027-02-05",
      adults: 1,
    });
    expect(backwards.status).toBe(400);
    expect((await control(sim, "POST", "/properties/nope/bookings", body)).status).toBe(404);
    expect((await control(sim, "PATCH", "/properties/p1/bookings/12345", { adults: 2 })).status).toBe(404);
    const status = await control<Wire>(sim, "POST", "/properties/p1/bookings", {
      arrival: "2027-02-10",
      departure: "2027-02-11",
      adults: 1,
      status: "NO-SHOW",
    });
    expect(status.body.booking_status).toBe("No-Show");
  });

  it("reset clears counters and log; with data it regenerates from the seed", async () => {
    await call(sim, p1(), "auth_test");
    const added = await control<Wire>(sim, "POST", "/properties/p1/bookings", {
      arrival: "2027-03-01",
      departure: "2027-03-02",
      adults: 1,
    });
    await control(sim, "POST", "/reset", {});
    expect((await control<Wire>(sim, "GET", "/counters")).body.total).toBe(0);
    expect((await control(sim, "GET", `/properties/p1/bookings/${added.body.booking_id}`)).status).toBe(200);
    await control(sim, "POST", "/reset", { data: true });
    expect((await control(sim, "GET", `/properties/p1/bookings/${added.body.booking_id}`)).status).toBe(404);
    expect((await control(sim, "POST", "/reset", { data: "yes" })).status).toBe(400);
  });
});

describe("determinism", () => {
  it("gives identical data for the same seed and different data for another", async () => {
    const fetchPage = async (seed: number) => {
      const sim = await startSimulator({ seed, properties: 1, rooms: 15, today: TODAY });
      try {
        const params = {
          list_type: "staying",
          period_from: "2025-06-01",
          period_to: "2025-07-01",
          data_limit: 1000,
        };
        return {
          props: sim.properties,
          data: rows(await call(sim, sim.properties[0]!, "bookings_list", params)),
        };
      } finally {
        await sim.close();
      }
    };
    const a = await fetchPage(11);
    const b = await fetchPage(11);
    const c = await fetchPage(12);
    expect(b).toEqual(a);
    expect(c.data).not.toEqual(a.data);
  });
});

describe("faults, latency, counters and the request log", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, properties: 2, rooms: 10, today: TODAY });
  });
  afterAll(() => sim.close());
  afterEach(async () => {
    await control(sim, "DELETE", "/properties/p1/faults");
  });
  const p1 = () => sim.properties[0]!;
  const fault = (spec: Wire) => control(sim, "POST", "/properties/p1/faults", spec);

  it("injects HTTP errors in the expected wire forms", async () => {
    await fault({ type: "http500", count: 1 });
    let r = await call(sim, p1(), "auth_test");
    expect([r.status, r.json.success]).toEqual([500, "false"]);

    await fault({ type: "http502", count: 1 });
    r = await call(sim, p1(), "auth_test");
    expect(r.status).toBe(502);
    expect(r.text).toContain("Bad Gateway");

    await fault({ type: "http503", count: 1, retry_after_seconds: 7 });
    r = await call(sim, p1(), "auth_test");
    expect([r.status, r.headers.get("retry-after")]).toEqual([503, "7"]);

    await fault({ type: "http429", count: 1, retry_after_seconds: 2 });
    r = await call(sim, p1(), "auth_test");
    expect([r.status, r.json.success, r.headers.get("retry-after")]).toEqual([429, "false", "2"]);

    await fault({ type: "http401", count: 1 });
    r = await call(sim, p1(), "auth_test");
    expect([r.status, r.json.success]).toEqual([401, "false"]);

    await fault({ type: "success_false", count: 1 });
    r = await call(sim, p1(), "auth_test");
    expect([r.status, r.json.success]).toEqual([200, "false"]);

    await fault({ type: "malformed_json", count: 1 });
    r = await call(sim, p1(), "auth_test");
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text)).toThrow();

    r = await call(sim, p1(), "auth_test");
    expect(r.json.success).toBe("true");
  });

  it("fails in the middle of paging with after + actions, and only for that property", async () => {
    await fault({ type: "http503", after: 2, count: 1, actions: ["bookings_list"] });
    const page = (offset: number) =>
      call(sim, p1(), "bookings_list", {
        list_type: "staying",
        period_from: TODAY,
        period_to: "2025-06-22",
        data_limit: 5,
        data_offset: offset,
      });
    expect((await call(sim, p1(), "sites_list")).status).toBe(200);
    expect((await page(0)).status).toBe(200);
    expect((await page(5)).status).toBe(200);
    expect(
      (
        await call(sim, sim.properties[1]!, "bookings_list", {
          list_type: "staying",
          period_from: TODAY,
          period_to: TODAY,
        })
      ).status,
    ).toBe(200);
    expect((await page(10)).status).toBe(503);
    expect((await page(10)).status).toBe(200);
    const listed = await control<{ faults: Wire[] }>(sim, "GET", "/properties/p1/faults");
    expect(listed.body.faults).toEqual([]);
  });

  it("hangs until the client gives up", async () => {
    await fault({ type: "hang" });
    const started = Date.now();
    await expect(call(sim, p1(), "auth_test", {}, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await control(sim, "DELETE", "/properties/p1/faults");
    expect((await call(sim, p1(), "auth_test")).json.success).toBe("true");
  });

  it("close() returns even with a hung request open", async () => {
    const other = await startSimulator({ properties: 1, rooms: 10, today: TODAY });
    await control(other, "POST", "/properties/p1/faults", { type: "hang" });
    const pending = call(other, other.properties[0]!, "auth_test").catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    // fetch rejects (with an Error from another realm, so compare by name) once the socket is destroyed.
    expect(String(await pending)).toMatch(/Error/);
  });

  it("rejects invalid fault specs", async () => {
    const r = await control<Wire>(sim, "POST", "/properties/p1/faults", { type: "gremlins" });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toContain("type");
  });

  it("applies latency globally and per property", async () => {
    await control(sim, "PUT", "/latency", { ms: 120, property_id: "p1" });
    let started = Date.now();
    await call(sim, p1(), "auth_test");
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    started = Date.now();
    await call(sim, sim.properties[1]!, "auth_test");
    expect(Date.now() - started).toBeLessThan(110);
    await control(sim, "PUT", "/latency", { ms: 0, property_id: "p1" });
    const view = await control<Wire>(sim, "PUT", "/latency", { ms: 0 });
    expect(view.body).toEqual({ default_ms: 0, per_property: { p1: 0 } });
    expect((await control(sim, "PUT", "/latency", { ms: -1 })).status).toBe(400);
  });

  it("counts requests per credential, action and outcome, and logs them", async () => {
    await control(sim, "POST", "/reset", {});
    const before = await control<{ requests: Wire[] }>(sim, "GET", "/requests");
    const since = Number(before.body.requests.at(-1)?.seq ?? 0);
    await call(sim, p1(), "auth_test");
    await call(sim, p1(), "bookings_list", {
      list_type: "staying",
      period_from: TODAY,
      period_to: TODAY,
      data_limit: 7,
    });
    await call(sim, p1(), "auth_test", {}, { authorization: null });
    await fault({ type: "http500", count: 1 });
    await call(sim, p1(), "sites_list");
    await call(sim, p1(), "bookings_list", { period_from: TODAY });

    const counters = await control<Wire>(sim, "GET", "/counters");
    const mine = (counters.body.credentials as Record<string, Wire>)[p1().username]!;
    expect(mine.actions).toEqual({ auth_test: 1, bookings_list: 2, sites_list: 1 });
    expect(mine.outcomes).toMatchObject({ ok: 2, fault: 1, error: 1 });
    expect(counters.body.outcomes).toMatchObject({ auth_error: 1 });

    const log = await control<{ requests: Wire[] }>(sim, "GET", `/requests?since=${since}`);
    expect(log.body.requests.map((e) => [e.action, e.status])).toEqual([
      ["auth_test", 200],
      ["bookings_list", 200],
      ["auth_test", 401],
      ["sites_list", 500],
      ["bookings_list", 200],
    ]);
    const entry = log.body.requests[1]!;
    expect(entry).toMatchObject({
      username: p1().username,
      params: { list_type: "staying", period_from: TODAY, period_to: TODAY, data_limit: 7 },
    });
    expect(String(entry.at)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(entry.finished_at! >= entry.started_at!).toBe(true);
    const tail = await control<{ requests: Wire[] }>(sim, "GET", `/requests?since=${Number(entry.seq)}`);
    expect(tail.body.requests).toHaveLength(3);
  });
});

describe("throttle", () => {
  let sim: RunningSimulator;
  let clock = Date.UTC(2025, 5, 15, 9, 0, 0);
  beforeAll(async () => {
    sim = await startSimulator({
      properties: 2,
      rooms: 10,
      today: TODAY,
      throttlePerMinute: 5,
      now: () => clock,
    });
  });
  afterAll(() => sim.close());
  beforeEach(() => control(sim, "POST", "/reset", {}));
  const p1 = () => sim.properties[0]!;

  it("denies the 6th request in a minute with 429, a message naming the limit and Retry-After", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await call(sim, p1(), "auth_test")).status).toBe(200);
      clock += 1000;
    }
    const denied = await call(sim, p1(), "auth_test");
    expect(denied.status).toBe(429);
    expect(denied.json.success).toBe("false");
    expect(String(denied.json.message)).toMatch(/5 requests per minute/);
    expect(denied.headers.get("retry-after")).toBe("55");
    // Budgets are per credential.
    expect((await call(sim, sim.properties[1]!, "auth_test")).status).toBe(200);
    const counters = await control<Wire>(sim, "GET", "/counters");
    expect(counters.body.outcomes).toMatchObject({ ok: 6, throttled: 1 });
    // The window slides: a minute after the first request one slot frees up.
    clock += 55_000;
    expect((await call(sim, p1(), "auth_test")).status).toBe(200);
    expect((await call(sim, p1(), "auth_test")).status).toBe(429);
  });

  it("switches to the 200 + success false form, without Retry-After, and a new limit", async () => {
    await control(sim, "PUT", "/switches", {
      throttle_form: "200",
      retry_after: false,
      throttle_per_minute: 2,
    });
    await call(sim, p1(), "auth_test");
    await call(sim, p1(), "auth_test");
    const denied = await call(sim, p1(), "auth_test");
    expect([denied.status, denied.json.success]).toEqual([200, "false"]);
    expect(String(denied.json.message)).toMatch(/2 requests per minute/);
    expect(denied.headers.get("retry-after")).toBeNull();
    await control(sim, "PUT", "/switches", {
      throttle_form: "429",
      retry_after: true,
      throttle_per_minute: 5,
    });
  });
});
