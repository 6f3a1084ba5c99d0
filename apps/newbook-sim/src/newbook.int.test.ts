import { type RunningSimulator, startSimulator } from "./server";
import { basic, type CallResult, call, control, rows, type Wire } from "./test-support";

const BOOKING_FIELDS = [
  "booking_id",
  "booking_reference_id",
  "bookings_group_id",
  "bookings_group_name",
  "booking_placed",
  "booking_cancelled",
  "booking_modified",
  "booking_arrival",
  "booking_departure",
  "booking_length",
  "booking_eta",
  "booking_checkedin",
  "booking_status",
  "booking_adults",
  "booking_children",
  "booking_infants",
  "category_id",
  "category_name",
  "site_id",
  "site_name",
  "tariff_name",
  "booking_total",
  "guests",
  "inventory_items",
  "tariffs_quoted",
  "notes",
];
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const TODAY = "2025-06-15";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({
    seed: 7,
    properties: 2,
    rooms: [40, 12],
    today: TODAY,
    throttlePerMinute: 10_000,
  });
});
afterAll(() => sim.close());

const p1 = () => sim.properties[0]!;
const list = (params: Wire) => call(sim, p1(), "bookings_list", params);
const ids = (r: CallResult) => rows(r).map((b) => Number(b.booking_id));

describe("envelope and auth", () => {
  it("answers auth_test with the string envelope, by path and by request_action", async () => {
    for (const style of ["path", "legacy"] as const) {
      const r = await call(sim, p1(), "auth_test", {}, { style });
      expect(r.status).toBe(200);
      expect(r.json.success).toBe("true");
    }
    const bare = await fetch(sim.baseUrl, {
      method: "POST",
      headers: { authorization: basic(p1().username, p1().password) },
      body: JSON.stringify({ request_action: "auth_test", api_key: p1().apiKey, region: p1().region }),
    });
    expect(((await bare.json()) as Wire).success).toBe("true");
  });

  it("rejects bad Basic credentials with 401", async () => {
    for (const authorization of [null, basic(p1().username, "wrong"), basic("nobody", "x"), "Bearer abc"]) {
      const r = await call(sim, p1(), "auth_test", {}, { authorization });
      expect(r.status).toBe(401);
      expect(r.json.success).toBe("false");
      expect(String(r.json.message)).toMatch(/invalid username or password/i);
    }
  });

  it("rejects a bad api_key or region with HTTP 200 + success false; region is case-insensitive", async () => {
    const bad = [
      { api_key: "nope" },
      { region: "zz" },
      { api_key: "" },
      { api_key: sim.properties[1]!.apiKey },
    ];
    for (const credentials of bad) {
      const r = await call(sim, p1(), "auth_test", {}, { credentials });
      expect(r.status).toBe(200);
      expect(r.json.success).toBe("false");
      expect(typeof r.json.message).toBe("string");
    }
    const wrongRegion = p1().region === "eu" ? "us" : "eu";
    expect(
      (await call(sim, p1(), "auth_test", {}, { credentials: { region: wrongRegion } })).json.success,
    ).toBe("false");
    const upper = await call(
      sim,
      p1(),
      "auth_test",
      {},
      { credentials: { region: p1().region.toUpperCase() } },
    );
    expect(upper.json.success).toBe("true");
  });

  it("ignores unknown body keys and reports unknown actions", async () => {
    const r = await call(sim, p1(), "auth_test", { force_refresh: true, instance_id: "abc" });
    expect(r.json.success).toBe("true");
    const unknown = await call(sim, p1(), "bookings_teleport");
    expect(unknown.json).toEqual({ success: "false", message: expect.stringContaining("bookings_teleport") });
    expect((await call(sim, p1(), "toString")).json.success).toBe("false");
  });

  it("only accepts POST", async () => {
    const res = await fetch(`${sim.baseUrl}/auth_test`);
    expect(res.status).toBe(405);
    expect(((await res.json()) as Wire).success).toBe("false");
  });

  it("answers a malformed request body with success false", async () => {
    const res = await fetch(`${sim.baseUrl}/auth_test`, {
      method: "POST",
      headers: { authorization: basic(p1().username, p1().password), "content-type": "application/json" },
      body: "{not json",
    });
    expect(((await res.json()) as Wire).success).toBe("false");
  });
});

describe("inventory actions", () => {
  it("sites_list and its alias site_list return every room", async () => {
    const a = await call(sim, p1(), "sites_list");
    const b = await call(sim, p1(), "site_list");
    expect(a.json.success).toBe("true");
    expect(rows(a)).toHaveLength(40);
    expect(rows(b)).toEqual(rows(a));
    const site = rows(a)[0]!;
    expect(Object.keys(site).sort()).toEqual([
      "category_id",
      "category_name",
      "site_id",
      "site_name",
      "site_status",
    ]);
    expect(typeof site.site_id).toBe("string");
    expect(["Clean", "Dirty", "Inspected", "Unknown"]).toContain(site.site_status);
    expect(rows(await call(sim, sim.properties[1]!, "sites_list"))).toHaveLength(12);
  });

  it("gl_account_list returns the accounts with string scalars", async () => {
    const r = await call(sim, p1(), "gl_account_list");
    const names = rows(r).map((g) => g.gl_account_name);
    expect(names).toEqual(expect.arrayContaining(["Accommodation", "Breakfast", "Dinner", "Bar"]));
    for (const g of rows(r)) {
      expect(Object.keys(g).sort()).toEqual(
        [
          "active",
          "gl_account_code",
          "gl_account_id",
          "gl_account_name",
          "gl_group_id",
          "gl_group_name",
        ].sort(),
      );
      expect(["0", "1"]).toContain(g.active);
    }
  });
});

describe("bookings_list", () => {
  it("requires period_from, period_to and list_type (HTTP 200, message names the param)", async () => {
    const full = { list_type: "staying", period_from: TODAY, period_to: TODAY };
    for (const missing of ["period_from", "period_to", "list_type"]) {
      const params: Wire = { ...full };
      delete params[missing];
      const r = await list(params);
      expect(r.status).toBe(200);
      expect(r.json.success).toBe("false");
      expect(String(r.json.message)).toContain(missing);
    }
  });

  it("rejects an unknown list_type with HTTP 412", async () => {
    const r = await list({ list_type: "sleeping", period_from: TODAY, period_to: TODAY });
    expect(r.status).toBe(412);
    expect(r.json.success).toBe("false");
  });

  it("serves every list_type around today with the contract's fields", async () => {
    const from = "2025-04-01";
    const to = "2025-08-01";
    for (const listType of [
      "staying",
      "arrived",
      "arriving",
      "departed",
      "departing",
      "placed",
      "cancelled",
      "no_show",
      "all",
    ]) {
      const r = await list({ list_type: listType, period_from: from, period_to: to, data_limit: 1000 });
      expect(r.json.success).toBe("true");
      expect(Number(r.json.data_total)).toBeGreaterThan(0);
      expect(r.json.data_count).toBe(String(rows(r).length));
      const b = rows(r)[0]!;
      expect(Object.keys(b).sort()).toEqual([...BOOKING_FIELDS].sort());
      expect(b.booking_arrival).toMatch(DATETIME);
      expect(b.booking_placed).toMatch(DATETIME);
      expect(b.booking_modified).toMatch(DATETIME);
    }
    const cancelled = rows(
      await list({ list_type: "cancelled", period_from: from, period_to: to, data_limit: 1000 }),
    );
    expect(
      cancelled.every((b) => b.booking_status === "Cancelled" && DATETIME.test(String(b.booking_cancelled))),
    ).toBe(true);
    const noShows = rows(
      await list({ list_type: "no_show", period_from: from, period_to: to, data_limit: 1000 }),
    );
    expect(noShows.every((b) => b.booking_status === "No-Show")).toBe(true);
    const arriving = rows(
      await list({
        list_type: "arriving",
        mode: "projected",
        period_from: TODAY,
        period_to: to,
        data_limit: 1000,
      }),
    );
    expect(
      arriving.every((b) => b.booking_status === "Confirmed" || b.booking_status === "Unconfirmed"),
    ).toBe(true);
  });

  it("has exact staying boundaries and accepts all three datetime forms", async () => {
    // 2027 is outside the generated book, so only these bookings exist there.
    const a = await control<Wire>(sim, "POST", "/properties/p1/bookings", {
      arrival: "2027-03-10",
      departure: "2027-03-12",
      adults: 2,
    });
    const b = await control<Wire>(sim, "POST", "/properties/p1/bookings", {
      arrival: "2027-03-12",
      departure: "2027-03-14",
      adults: 1,
      meals: "bb",
    });
    expect(a.status).toBe(201);
    expect(a.body.booking_departure).toBe("2027-03-12 10:00:00");
    expect(b.body.booking_arrival).toBe("2027-03-12 14:00:00");
    const aId = Number(a.body.booking_id);
    const bId = Number(b.body.booking_id);
    const staying = async (from: string, to: string) =>
      ids(await list({ list_type: "staying", period_from: from, period_to: to }));

    // a departs exactly at period_from, b arrives exactly at period_to: neither is staying.
    expect(await staying("2027-03-12 10:00:00", "2027-03-12 14:00:00")).toEqual([]);
    expect(await staying("2027-03-12T10:00:00", "2027-03-12T14:00:00")).toEqual([]);
    expect(await staying("2027-03-12 09:59:59", "2027-03-12 14:00:01")).toEqual([aId, bId]);
    // Bare dates are local midnight: arriving on period_to's date is not staying.
    expect(await staying("2027-03-01", "2027-03-12")).toEqual([aId]);
    expect(await staying("2027-03-14", "2027-03-20")).toEqual([bId]);
    expect(await staying("2027-03-15", "2027-03-20")).toEqual([]);

    const invalid = await list({ list_type: "staying", period_from: "12/03/2027", period_to: "2027-03-20" });
    expect(invalid.json.success).toBe("false");
    expect(String(invalid.json.message)).toContain("period_from");
  });

  it("pages in stable id order: exact multiples, empty pages, limit clamped to 1000", async () => {
    for (let i = 0; i < 10; i++) {
      const r = await control(sim, "POST", "/properties/p1/bookings", {
        arrival: "2027-05-01",
        departure: "2027-05-03",
        adults: 2,
      });
      expect(r.status).toBe(201);
    }
    const period = { list_type: "staying", period_from: "2027-05-01", period_to: "2027-05-02" };
    const page1 = await list({ ...period, data_limit: 5 });
    const page2 = await list({ ...period, data_limit: 5, data_offset: 5 });
    const page3 = await list({ ...period, data_limit: 5, data_offset: 10 });
    expect([page1.json.data_total, page2.json.data_total, page3.json.data_total]).toEqual(["10", "10", "10"]);
    expect([page1.json.data_count, page2.json.data_count, page3.json.data_count]).toEqual(["5", "5", "0"]);
    expect(rows(page3)).toEqual([]);
    const all = [...ids(page1), ...ids(page2)];
    expect(all).toEqual([...all].sort((x, y) => x - y));
    expect(new Set(all).size).toBe(10);
    const defaults = await list(period);
    expect(ids(defaults)).toEqual(all);

    const whole = { list_type: "all", period_from: "2020-01-01", period_to: "2030-01-01" };
    const huge = await list({ ...whole, data_limit: 5000 });
    expect(huge.json.data_count).toBe("1000");
    expect(Number(huge.json.data_total)).toBeGreaterThan(1000);
    expect(rows(await list(whole))).toHaveLength(100);
  });

  it("bookings_get returns one booking, and success false for an unknown id", async () => {
    const [first] = rows(await list({ list_type: "staying", period_from: TODAY, period_to: "2025-06-16" }));
    const r = await call(sim, p1(), "bookings_get", { booking_id: first!.booking_id });
    expect(r.json.success).toBe("true");
    expect(r.json.data).toEqual(first);
    const missing = await call(sim, p1(), "bookings_get", { booking_id: "999999999" });
    expect(missing.status).toBe(200);
    expect(missing.json.success).toBe("false");
  });

  it("carries meal items with GL accounts and tariffs per night", async () => {
    const staying = rows(
      await list({ list_type: "staying", period_from: TODAY, period_to: "2025-06-30", data_limit: 1000 }),
    );
    const withBreakfast = staying.find((b) =>
      (b.inventory_items as Wire[]).some((i) => i.description === "Breakfast"),
    );
    const withDinner = staying.find((b) =>
      (b.inventory_items as Wire[]).some((i) => i.description === "Dinner"),
    );
    expect(withBreakfast && withDinner).toBeTruthy();
    const item = (withDinner!.inventory_items as Wire[])[0]!;
    expect(item).toEqual({
      stay_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      description: expect.any(String),
      item_name: expect.any(String),
      amount: expect.stringMatching(/^\d+\.\d{2}$/),
      gl_account_id: expect.any(String),
      gl_account_code: expect.any(String),
    });
    const tariffs = withDinner!.tariffs_quoted as Wire[];
    expect(tariffs).toHaveLength(Number(withDinner!.booking_length));
    expect(Object.keys(tariffs[0]!).sort()).toEqual([
      "calculated_amount",
      "label",
      "original_amount",
      "stay_date",
    ]);
    const guests = withDinner!.guests as Wire[];
    expect(guests[0]).toMatchObject({ primary_client: "1", firstname: expect.any(String) });
    expect(staying.some((b) => b.bookings_group_id !== null)).toBe(true);
  });
});

describe("reports", () => {
  it("reports_occupancy agrees with the staying list night by night", async () => {
    const r = await call(sim, p1(), "reports_occupancy", { period_from: TODAY, period_to: "2025-06-17" });
    expect(r.json.success).toBe("true");
    const categories = rows(r);
    expect(categories.length).toBeGreaterThan(1);
    for (const date of ["2025-06-15", "2025-06-16", "2025-06-17"]) {
      const occupied = categories.reduce((sum, c) => {
        const day = (c.occupancy as Record<string, Wire>)[date]!;
        expect(Object.keys(day).sort()).toEqual(
          ["allotted", "available", "date", "maintenance", "occupied", "revenue_gross", "revenue_net"].sort(),
        );
        return sum + Number(day.occupied);
      }, 0);
      const night = `${date} 23:00:00`;
      const staying = await list({
        list_type: "staying",
        period_from: night,
        period_to: night,
        data_limit: 1000,
      });
      expect(occupied).toBe(Number(staying.json.data_total));
    }
    const missing = await call(sim, p1(), "reports_occupancy", { period_from: TODAY });
    expect(String(missing.json.message)).toContain("period_to");
  });

  it("reports_earned_revenue per GL account, with a period per row when asked", async () => {
    const total = await call(sim, p1(), "reports_earned_revenue", {
      period_from: TODAY,
      period_to: "2025-06-16",
    });
    expect(total.json.success).toBe("true");
    const accommodation = rows(total).find((r) => r.gl_account_description === "Accommodation")!;
    expect(Number(accommodation.earned_revenue)).toBeGreaterThan(0);
    expect(accommodation.period).toBeUndefined();
    expect(Number(accommodation.earned_revenue_ex) + Number(accommodation.earned_revenue_tax)).toBeCloseTo(
      Number(accommodation.earned_revenue),
      1,
    );
    const daily = await call(sim, p1(), "reports_earned_revenue", {
      period_from: TODAY,
      period_to: "2025-06-16",
      period_increment: "day",
    });
    const days = rows(daily).map((r) => r.period);
    expect(new Set(days)).toEqual(new Set(["2025-06-15", "2025-06-16"]));
    const dailySum = rows(daily)
      .filter((r) => r.gl_account_description === "Accommodation")
      .reduce((s, r) => s + Number(r.earned_revenue), 0);
    expect(dailySum).toBeCloseTo(Number(accommodation.earned_revenue), 1);
  });
});

describe("switches", () => {
  afterEach(async () => {
    await control(sim, "PUT", "/switches", {
      status_casing: "title",
      numeric_scalars: false,
      booking_times: "checkin_checkout",
    });
  });

  it("changes status casing, scalar types and booking times at runtime", async () => {
    const params = { list_type: "staying", period_from: "2025-06-20", period_to: "2025-06-21" };
    const before = rows(await list(params))[0]!;
    expect(before.booking_status).toBe("Confirmed");
    const put = await control<Wire>(sim, "PUT", "/switches", {
      status_casing: "upper",
      numeric_scalars: true,
      booking_times: "midnight",
    });
    expect(put.body).toMatchObject({ status_casing: "upper", numeric_scalars: true });
    const r = await list(params);
    const after = rows(r).find((b) => b.booking_id === Number(before.booking_id))!;
    expect(after.booking_status).toBe("CONFIRMED");
    expect(typeof after.booking_adults).toBe("number");
    expect(typeof r.json.data_total).toBe("number");
    expect(after.booking_arrival).toMatch(/ 00:00:00$/);
    expect((await control<Wire>(sim, "GET", "/switches")).body.status_casing).toBe("upper");
  });

  it("can answer a wrong api_key with 403 instead of 200", async () => {
    await control(sim, "PUT", "/switches", { bad_api_key_status: 403 });
    const r = await call(sim, p1(), "auth_test", {}, { credentials: { api_key: "nope" } });
    expect([r.status, r.json.success]).toEqual([403, "false"]);
    await control(sim, "PUT", "/switches", { bad_api_key_status: 200 });
  });

  it("rejects invalid switch values with 400", async () => {
    const r = await control<Wire>(sim, "PUT", "/switches", { status_casing: "shouting" });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toContain("status_casing");
  });
});
