import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import { PassThrough } from "node:stream";
import { type RunningSimulator, type SimProperty, startSimulator } from "@occ/newbook-sim";
import { deleteKeysUnder, SimControl, type SimRequest } from "@occ/testkit";
import { Redis } from "ioredis";
import { createLogger } from "../logger";
import { credentialKey, SlidingWindowRateLimiter } from "../ratelimit";
import { type ListBookingsQuery, NewbookClient, type NewbookClientOptions } from "./client";
import {
  NewbookApiError,
  NewbookAuthError,
  NewbookNetworkError,
  NewbookProtocolError,
  NewbookServerError,
  NewbookThrottledError,
  NewbookTimeoutError,
} from "./errors";
import type { NewbookRequestEvent } from "./stats";
import type { NewbookBooking } from "./types";

let sim: RunningSimulator;
let control: SimControl;
let property: SimProperty;

beforeAll(async () => {
  sim = await startSimulator({ properties: 1, rooms: 40, seed: 11 });
  control = new SimControl(sim.controlUrl);
  property = sim.properties[0]!;
});
afterAll(() => sim.close());
beforeEach(async () => {
  await control.reset();
  await control.setSwitches({
    throttle_form: "429",
    retry_after: true,
    bad_api_key_status: 200,
    throttle_per_minute: 100,
  });
});

interface Harness {
  client: NewbookClient;
  sleeps: number[];
  events: NewbookRequestEvent[];
}

function harness(overrides: Partial<NewbookClientOptions> = {}): Harness {
  const sleeps: number[] = [];
  const events: NewbookRequestEvent[] = [];
  const client = new NewbookClient({
    baseUrl: sim.baseUrl,
    region: property.region,
    username: property.username,
    password: property.password,
    apiKey: property.apiKey,
    // Generous: 1000-booking pages from the in-process simulator, several at once, on a loaded machine.
    // The timeout tests set their own.
    timeoutMs: 20_000,
    connectTimeoutMs: 1000,
    maxRetries: 3,
    retryBaseMs: 100,
    retryMaxTotalMs: 60_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    onRequest: (event) => events.push(event),
    ...overrides,
  });
  return { client, sleeps, events };
}

const EVERYTHING: ListBookingsQuery = {
  periodFrom: "2000-01-01",
  periodTo: "2100-01-01",
  listType: "staying",
};

/** data_total as Newbook reports it, read with a raw one-row request. */
async function simTotal(query: ListBookingsQuery): Promise<number> {
  const response = await fetch(`${sim.baseUrl}/bookings_list`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${property.username}:${property.password}`).toString("base64")}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({
      api_key: property.apiKey,
      region: property.region,
      list_type: query.listType,
      period_from: query.periodFrom,
      period_to: query.periodTo,
      data_limit: 1,
    }),
  });
  const body = (await response.json()) as { data_total: string | number };
  return Number(body.data_total);
}

async function requestsFor(action: string) {
  return (await control.requests()).filter((r) => r.action === action);
}

describe("NewbookClient actions against the simulator", () => {
  it("reads every action into normalised objects", async () => {
    const { client } = harness();
    await expect(client.authTest()).resolves.toBeUndefined();

    const sites = await client.listSites();
    expect(sites).toHaveLength(40);
    expect(sites[0]).toEqual(
      expect.objectContaining({ siteId: expect.any(String), categoryId: expect.any(String) }),
    );

    const accounts = await client.listGlAccounts();
    expect(accounts.length).toBeGreaterThan(0);
    expect(typeof accounts[0]?.active).toBe("boolean");

    const [first] = await client.listBookings({ ...EVERYTHING, periodTo: "2100-01-01" });
    expect(first).toBeDefined();
    const again = await client.getBooking(first!.bookingId);
    expect(again).toEqual(first);

    const occupancy = await client.reportsOccupancy("2026-01-01", "2026-01-03");
    expect(occupancy.length).toBeGreaterThan(0);
    expect(occupancy[0]?.days.map((d) => d.date)).toEqual(["2026-01-01", "2026-01-02", "2026-01-03"]);
    expect(occupancy.reduce((sum, c) => sum + (c.days[0]?.available ?? 0), 0)).toBe(40);

    const revenue = await client.earnedRevenue("2026-01-01", "2026-01-02", { increment: "day" });
    expect(revenue.every((r) => r.period === "2026-01-01" || r.period === "2026-01-02")).toBe(true);
    client.close();
  });

  it("answers an unknown booking with Newbook's message, not retried", async () => {
    const { client, sleeps } = harness();
    const error = await client.getBooking("999999999").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookApiError);
    expect((error as NewbookApiError).newbookMessage).toContain("999999999");
    expect(sleeps).toEqual([]);
    client.close();
  });

  it("counts every attempt by action and outcome", async () => {
    await control.addFault(property.id, { type: "http500", count: 1, actions: ["auth_test"] });
    const { client, events } = harness();
    await client.authTest();
    await client.listSites();
    expect(events.map((e) => [e.action, e.outcome, e.attempt])).toEqual([
      ["auth_test", "server_error", 0],
      ["auth_test", "ok", 1],
      ["sites_list", "ok", 0],
    ]);
    const stats = client.stats;
    expect(stats.totalCalls).toBe(3);
    expect(stats.byAction).toEqual({ auth_test: { server_error: 1, ok: 1 }, sites_list: { ok: 1 } });
    expect(stats.totalMs).toBeGreaterThanOrEqual(0);
    client.close();
  });
});

describe("paging", () => {
  // Tests pinning the exact request sequence read in order (pageConcurrency 1); "concurrent paging" below
  // covers the default.
  it("reads every page of 1000 and nothing twice", async () => {
    const total = await simTotal(EVERYTHING);
    expect(total).toBeGreaterThan(2000);
    await control.reset();
    const { client } = harness({ pageConcurrency: 1 });
    const bookings = await client.listBookings(EVERYTHING);
    expect(bookings).toHaveLength(total);
    expect(new Set(bookings.map((b) => b.bookingId)).size).toBe(total);
    const pages = await requestsFor("bookings_list");
    expect(pages.map((r) => [Number(r.params.data_offset), Number(r.params.data_limit)])).toEqual(
      Array.from({ length: Math.ceil(total / 1000) }, (_, i) => [i * 1000, 1000]),
    );
    client.close();
  });

  it("stops at data_total when it is an exact multiple of the page size (no empty extra page)", async () => {
    const query: ListBookingsQuery = {
      periodFrom: "2091-01-01",
      periodTo: "2099-01-01",
      listType: "staying",
    };
    expect(await simTotal(query)).toBe(0);
    await control.addBookings(property.id, "2091-01-02", 2000);
    expect(await simTotal(query)).toBe(2000);
    await control.reset();
    const { client } = harness();
    expect(await client.listBookings(query)).toHaveLength(2000);
    expect(await requestsFor("bookings_list")).toHaveLength(2);
    client.close();
  }, 60_000);

  it("makes one request for an empty listing", async () => {
    const { client } = harness();
    expect(
      await client.listBookings({ periodFrom: "2150-01-01", periodTo: "2150-02-01", listType: "staying" }),
    ).toEqual([]);
    expect(await requestsFor("bookings_list")).toHaveLength(1);
    client.close();
  });

  it("retries a fault in the middle of paging and still returns the complete listing", async () => {
    const total = await simTotal(EVERYTHING);
    await control.reset();
    await control.addFault(property.id, { type: "http503", count: 1, after: 1, actions: ["bookings_list"] });
    const { client, sleeps } = harness({ pageConcurrency: 1 });
    const bookings = await client.listBookings(EVERYTHING);
    expect(bookings).toHaveLength(total);
    expect(sleeps).toHaveLength(1);
    const pages = await requestsFor("bookings_list");
    expect(pages.map((r) => [Number(r.params.data_offset), r.status])).toEqual([
      [0, 200],
      [1000, 503],
      [1000, 200],
      ...Array.from({ length: Math.ceil(total / 1000) - 2 }, (_, i) => [(i + 2) * 1000, 200]),
    ]);
    client.close();
  });

  it("keeps paging until a short page when data_total moves between pages", async () => {
    const before = await simTotal(EVERYTHING);
    const added = 1000 - (before % 1000);
    await control.reset();
    let acquires = 0;
    const { client } = harness({
      pageConcurrency: 1,
      // The limiter hook runs right before each page: after page 1, bookings arrive in Newbook so that
      // the new data_total is an exact multiple of the page size.
      rateLimiter: {
        acquire: async () => {
          if (++acquires === 2) await control.addBookings(property.id, "2095-01-01", added);
        },
      },
    });
    const bookings = await client.listBookings(EVERYTHING);
    expect(bookings).toHaveLength(before + added);
    expect(new Set(bookings.map((b) => b.bookingId)).size).toBe(before + added);
    const pages = await requestsFor("bookings_list");
    // Offsets reach data_total on a full page, but a moved total is not trusted: one more (empty) page.
    expect(pages.map((r) => Number(r.params.data_offset))).toEqual(
      Array.from({ length: (before + added) / 1000 + 1 }, (_, i) => i * 1000),
    );
    client.close();
  }, 30_000);

  it("fails a runaway listing at the page cap", async () => {
    const { client } = harness({ pageSize: 10, maxPages: 3 });
    const error = await client.listBookings(EVERYTHING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookProtocolError);
    expect((error as Error).message).toMatch(/3 pages/);
    expect(await requestsFor("bookings_list")).toHaveLength(3);
    client.close();
  });
});

/** The listing read strictly in order, the reference for concurrent reads; clears the request log after. */
async function inOrderListing(query: ListBookingsQuery, pageSize = 1000): Promise<NewbookBooking[]> {
  const { client } = harness({ pageConcurrency: 1, pageSize });
  try {
    return await client.listBookings(query);
  } finally {
    client.close();
    await control.reset();
  }
}

const byBookingId = (bookings: NewbookBooking[]) =>
  [...bookings].sort((a, b) => Number(a.bookingId) - Number(b.bookingId));

const offsetsOf = (requests: SimRequest[]) =>
  requests.map((r) => Number(r.params.data_offset)).sort((a, b) => a - b);

const pageOffsets = (rows: number, pageSize: number) =>
  Array.from({ length: Math.ceil(rows / pageSize) }, (_, i) => i * pageSize);

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("concurrent paging", () => {
  it("refuses a pageConcurrency that is not a positive integer", () => {
    for (const pageConcurrency of [0, 1.5, Number.NaN]) {
      expect(() => harness({ pageConcurrency })).toThrow("pageConcurrency must be a positive integer");
    }
  });

  it.each([
    { pageSize: 1000, pageConcurrency: 4 },
    { pageSize: 250, pageConcurrency: 3 },
  ])(
    "reads exactly what the in-order reader reads, each page once, pageConcurrency at a time (%o)",
    async ({ pageSize, pageConcurrency }) => {
      const reference = await inOrderListing(EVERYTHING, pageSize);
      expect(reference.length).toBeGreaterThan(2700);
      // In flight: from the rate-limit slot to the attempt's end.
      let inFlight = 0;
      let mostInFlight = 0;
      const { client } = harness({
        pageSize,
        pageConcurrency,
        rateLimiter: {
          acquire: async () => {
            mostInFlight = Math.max(mostInFlight, ++inFlight);
          },
        },
        onRequest: () => {
          inFlight--;
        },
      });
      expect(await client.listBookings(EVERYTHING)).toEqual(reference);
      const requests = await requestsFor("bookings_list");
      expect(Number(requests[0]?.params.data_offset)).toBe(0);
      expect(offsetsOf(requests)).toEqual(pageOffsets(reference.length, pageSize));
      // The first page goes alone (it tells data_total), the rest side by side.
      const pages = Math.ceil(reference.length / pageSize);
      expect(mostInFlight).toBe(Math.min(pageConcurrency, pages - 1));
      client.close();
    },
    30_000,
  );

  it("stops at data_total when it is an exact multiple of 1000, without an empty page", async () => {
    const before = await simTotal(EVERYTHING);
    await control.addBookings(property.id, "2096-07-01", 1000 - (before % 1000));
    const total = await simTotal(EVERYTHING);
    expect(total % 1000).toBe(0);
    await control.reset();
    const { client } = harness();
    const bookings = await client.listBookings(EVERYTHING);
    expect(new Set(bookings.map((b) => b.bookingId)).size).toBe(total);
    expect(offsetsOf(await requestsFor("bookings_list"))).toEqual(pageOffsets(total, 1000));
    client.close();
  }, 60_000);

  it("retries a fault in a middle page and still returns the complete listing", async () => {
    const reference = await inOrderListing(EVERYTHING);
    await control.addFault(property.id, { type: "http503", count: 1, after: 1, actions: ["bookings_list"] });
    const { client, sleeps, events } = harness();
    expect(await client.listBookings(EVERYTHING)).toEqual(reference);
    expect(sleeps).toHaveLength(1);
    expect(events.filter((e) => e.outcome === "server_error")).toHaveLength(1);
    const requests = await requestsFor("bookings_list");
    const failed = requests.filter((r) => r.status === 503);
    expect(failed).toHaveLength(1);
    expect(Number(failed[0]?.params.data_offset)).toBeGreaterThan(0);
    expect(offsetsOf(requests.filter((r) => r.status === 200))).toEqual(pageOffsets(reference.length, 1000));
    client.close();
  }, 30_000);

  it("fails the whole listing when a page still fails after its retries, starting no page after", async () => {
    await control.addFault(property.id, { type: "http503", after: 1, actions: ["bookings_list"] });
    const { client } = harness({ pageSize: 100, pageConcurrency: 2, maxRetries: 2 });
    await expect(client.listBookings(EVERYTHING)).rejects.toBeInstanceOf(NewbookServerError);
    // Page 0, then the two pages in flight with all their attempts; the other pages are never asked for,
    // and nothing of the listing is still running once it has failed.
    const expected = [[0, 200], ...Array(3).fill([100, 503]), ...Array(3).fill([200, 503])];
    const attempts = (await requestsFor("bookings_list")).map((r) => [
      Number(r.params.data_offset),
      r.status,
    ]);
    expect(attempts.sort(([a], [b]) => Number(a) - Number(b))).toEqual(expected);
    // A marker instead of a pause: retries wait on the injected (instant) sleep, so a page the failed
    // listing still meant to send would reach the simulator before a request sent after the failure.
    await client.authTest();
    expect(await requestsFor("bookings_list")).toHaveLength(expected.length);
    client.close();
  }, 30_000);

  it("reads again in order when bookings are added behind pages already read", async () => {
    const before = await simTotal(EVERYTHING);
    const pages = Math.ceil(before / 1000);
    await control.reset();
    let acquires = 0;
    let attempts = 0;
    const { client } = harness({
      // Page 1000 (the first after page 0) waits until every other page is read with the old data_total,
      // then bookings are added at the end of the listing: past the last page, which was already read.
      rateLimiter: {
        acquire: async () => {
          if (++acquires !== 2) return;
          await until(() => attempts === pages - 1);
          await control.addBookings(property.id, "2099-06-01", 5);
        },
      },
      onRequest: () => {
        attempts++;
      },
    });
    const bookings = await client.listBookings(EVERYTHING);
    expect(new Set(bookings.map((b) => b.bookingId)).size).toBe(before + 5);
    const offsets = (await requestsFor("bookings_list")).map((r) => Number(r.params.data_offset));
    expect(offsets.slice(pages)).toEqual(pageOffsets(before + 5, 1000));
    expect(byBookingId(bookings)).toEqual(byBookingId(await inOrderListing(EVERYTHING)));
    client.close();
  }, 30_000);

  it("reads again in order when a booking is cancelled while pages are read, not missing rows moved up a page", async () => {
    const reference = await inOrderListing(EVERYTHING);
    const cancelled = reference[0]!.bookingId;
    // Once the first booking leaves the listing, the one that opened page 1000 moves onto page 0.
    const movedUp = reference[1000]!.bookingId;
    let acquires = 0;
    let cancelling: Promise<void> | undefined;
    const { client } = harness({
      // Page 0 is read before the cancellation, every later page after it.
      rateLimiter: {
        acquire: async () => {
          if (++acquires === 2) cancelling = control.cancelBooking(property.id, cancelled);
          await cancelling;
        },
      },
    });
    const bookings = await client.listBookings(EVERYTHING);
    const ids = bookings.map((b) => b.bookingId);
    expect(ids).toContain(movedUp);
    // Merged by booking id: the cancelled booking stays as page 0 read it.
    const now = await inOrderListing(EVERYTHING);
    expect(new Set(ids)).toEqual(new Set([...now.map((b) => b.bookingId), cancelled]));
    expect(ids).toHaveLength(now.length + 1);
    client.close();
  }, 30_000);
});

describe("faults", () => {
  it.each(["http500", "http502", "http503"] as const)("recovers from %s after retries", async (type) => {
    await control.addFault(property.id, { type, count: 2, actions: ["sites_list"] });
    const { client, sleeps, events } = harness();
    expect(await client.listSites()).toHaveLength(40);
    // Full jitter with random() = 0.5: half of base * 2^attempt.
    expect(sleeps).toEqual([50, 100]);
    expect(events.map((e) => e.outcome)).toEqual(["server_error", "server_error", "ok"]);
    expect(await requestsFor("sites_list")).toHaveLength(3);
    client.close();
  });

  it("gives up on a persistent 5xx after maxRetries with the last error", async () => {
    await control.addFault(property.id, { type: "http503", actions: ["sites_list"] });
    const { client, sleeps } = harness({ maxRetries: 2 });
    await expect(client.listSites()).rejects.toMatchObject({ code: "server", status: 503 });
    expect(sleeps).toHaveLength(2);
    expect(await requestsFor("sites_list")).toHaveLength(3);
    client.close();
  });

  it("honours Retry-After on 429", async () => {
    await control.addFault(property.id, { type: "http429", count: 1, retry_after_seconds: 3 });
    const { client, sleeps, events } = harness();
    await client.authTest();
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(3000);
    expect(events.map((e) => e.outcome)).toEqual(["throttled", "ok"]);
    client.close();
  });

  it("gives a long Retry-After back to a limiter that defers, and waits a short one in place", async () => {
    const deferrals: number[] = [];
    const rateLimiter = {
      acquire: async () => undefined,
      deferFor: (_key: string, waitMs: number, reason: string) => {
        deferrals.push(waitMs);
        return new Error(reason);
      },
    };
    await control.addFault(property.id, { type: "http429", count: 1, retry_after_seconds: 3 });
    const long = harness({ rateLimiter });
    await expect(long.client.authTest()).rejects.toThrow("Newbook asked this connection to pause for 3 s");
    expect(long.sleeps).toEqual([]);
    expect(deferrals).toEqual([3000]);
    long.client.close();
    // A second's pause costs less in the slot than giving it back (see MAX_IN_PLACE_RETRY_AFTER_MS).
    await control.addFault(property.id, { type: "http429", count: 1, retry_after_seconds: 1 });
    const short = harness({ rateLimiter });
    await short.client.authTest();
    expect(short.sleeps).toEqual([1000]);
    expect(deferrals).toEqual([3000]);
    short.client.close();
  });

  it("backs off on the simulator's own throttle in its HTTP 200 form and fails once the budget is spent", async () => {
    await control.setSwitches({ throttle_per_minute: 1, throttle_form: "200" });
    const { client, sleeps } = harness({ retryMaxTotalMs: 200_000 });
    await client.authTest();
    const error = await client.authTest().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookThrottledError);
    // Every retry waited for the simulator's Retry-After (up to 60 s).
    expect(sleeps).toHaveLength(3);
    for (const ms of sleeps) expect(ms).toBeGreaterThanOrEqual(50_000);
    client.close();
  });

  it("times out a hung request and succeeds on retry", async () => {
    await control.addFault(property.id, { type: "hang", count: 1, actions: ["auth_test"] });
    const { client, events } = harness({ timeoutMs: 300 });
    const started = Date.now();
    await client.authTest();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(events.map((e) => e.outcome)).toEqual(["timeout", "ok"]);
    expect(events[0]?.durationMs).toBeGreaterThanOrEqual(290);
    client.close();
  });

  it("retries malformed JSON once or twice, then fails with a protocol error", async () => {
    await control.addFault(property.id, { type: "malformed_json", count: 1, actions: ["sites_list"] });
    const first = harness();
    expect(await first.client.listSites()).toHaveLength(40);
    expect(first.events.map((e) => e.outcome)).toEqual(["protocol_error", "ok"]);
    first.client.close();

    await control.addFault(property.id, { type: "malformed_json", actions: ["sites_list"] });
    const second = harness({ maxRetries: 4 });
    const error = await second.client.listSites().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookProtocolError);
    expect((error as Error).message).toContain("sites_list");
    expect(second.events).toHaveLength(3);
    second.client.close();
  });

  it('does not retry success "false"', async () => {
    await control.addFault(property.id, { type: "success_false", count: 1 });
    const { client, sleeps } = harness();
    const error = await client.listSites().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookApiError);
    expect((error as NewbookApiError).newbookMessage).toMatch(/Simulated failure/);
    expect(sleeps).toEqual([]);
    expect(await requestsFor("sites_list")).toHaveLength(1);
    client.close();
  });

  it("fails a 401 at once with an auth error and no retries", async () => {
    await control.addFault(property.id, { type: "http401" });
    const { client, sleeps } = harness();
    const error = await client.listBookings(EVERYTHING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookAuthError);
    expect((error as Error).message).toBe("Newbook rejected the username or password");
    expect(sleeps).toEqual([]);
    expect(await requestsFor("bookings_list")).toHaveLength(1);
    client.close();
  });

  it("reports a wrong password as a username/password rejection", async () => {
    const { client } = harness({ password: "not-the-password" });
    await expect(client.authTest()).rejects.toMatchObject({
      message: "Newbook rejected the username or password",
      retryable: false,
    });
    client.close();
  });

  it.each([200, 403] as const)(
    "reports a wrong api_key (HTTP %i) as an API key rejection",
    async (status) => {
      await control.setSwitches({ bad_api_key_status: status });
      const { client, sleeps } = harness({ apiKey: "instances_wrong" });
      const error = await client.authTest().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NewbookAuthError);
      expect((error as Error).message).toBe("Newbook rejected the API key or region");
      expect(sleeps).toEqual([]);
      expect(await requestsFor("auth_test")).toHaveLength(1);
      client.close();
    },
  );

  it("reports a wrong region as an API key rejection", async () => {
    const region = property.region === "eu" ? "au" : "eu";
    const { client } = harness({ region });
    await expect(client.authTest()).rejects.toMatchObject({
      message: "Newbook rejected the API key or region",
    });
    client.close();
  });

  it("classifies an unreachable host as a retryable network error", async () => {
    const closed = await startSimulator({ properties: 1 });
    const baseUrl = closed.baseUrl;
    await closed.close();
    const { client, sleeps } = harness({ baseUrl, maxRetries: 1 });
    const error = await client.authTest().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookNetworkError);
    expect((error as NewbookNetworkError).networkCode).toBe("ECONNREFUSED");
    expect(sleeps).toHaveLength(1);
    client.close();
  });
});

describe("connect timeout", () => {
  let listener: ChildProcess;
  let port: number;
  const filler: net.Socket[] = [];

  // A listener that is frozen (SIGSTOP) with its accept queue full: the kernel drops further SYNs, so a
  // new connection stays in SYN_SENT, like a black-holed Newbook host.
  beforeAll(async () => {
    listener = spawn(
      process.execPath,
      [
        "-e",
        "const s=require('net').createServer().listen(0,'127.0.0.1',1,()=>console.log(s.address().port))",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const [data] = (await once(listener.stdout!, "data")) as [Buffer];
    port = Number(data.toString().trim());
    listener.kill("SIGSTOP");
    // Linux completes backlog + 1 = 2 handshakes for a listener with backlog 1: once two fillers are
    // connected the accept queue is full, and every later SYN (the test's) is dropped.
    await new Promise<void>((resolve) => {
      let connected = 0;
      for (let i = 0; i < 4; i++) {
        const socket = net.connect(port, "127.0.0.1").on("error", () => {});
        socket.on("connect", () => {
          if (++connected === 2) resolve();
        });
        filler.push(socket);
      }
    });
  });
  afterAll(() => {
    for (const socket of filler) socket.destroy();
    listener.kill("SIGKILL");
  });

  it("gives up on a connection that never opens after connectTimeoutMs, not the whole timeout", async () => {
    const { client, events } = harness({
      baseUrl: `http://127.0.0.1:${port}/rest`,
      connectTimeoutMs: 200,
      timeoutMs: 10_000,
      maxRetries: 1,
    });
    const started = Date.now();
    const error = await client.authTest().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookTimeoutError);
    expect((error as NewbookTimeoutError).phase).toBe("connect");
    expect(events.map((e) => e.outcome)).toEqual(["timeout", "timeout"]);
    expect(Date.now() - started).toBeLessThan(2000);
    client.close();
  });
});

/** Forwards a request to the simulator (to `path`, by default the one asked for) and pipes its answer back. */
function forwardToSim(req: http.IncomingMessage, res: http.ServerResponse, path = req.url): void {
  const target = new URL(sim.baseUrl);
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  req.pipe(upstream);
}

/** Starts a proxy in front of the simulator on a free local port; resolves with its Newbook base URL. */
async function listenAsNewbook(proxy: http.Server): Promise<string> {
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  return `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}/rest`;
}

describe("sites_list alias", () => {
  // Stands for a Newbook account that only knows `site_list`: requests for `sites_list` are renamed to
  // an action the simulator does not know, so the rejection is the simulator's own.
  let proxy: http.Server;
  let proxyUrl: string;
  beforeAll(async () => {
    proxy = http.createServer((req, res) =>
      forwardToSim(req, res, req.url?.replace(/\/sites_list$/, "/no_such_sites_list")),
    );
    proxyUrl = await listenAsNewbook(proxy);
  });
  afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

  it("falls back to site_list when sites_list is an unknown action, and remembers it", async () => {
    const { client, events } = harness({ baseUrl: proxyUrl });
    expect(await client.listSites()).toHaveLength(40);
    expect(await client.listSites()).toHaveLength(40);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ["sites_list", "api_error"],
      ["site_list", "ok"],
      ["site_list", "ok"],
    ]);
    client.close();
  });
});

describe("kept-alive connections the server closed", () => {
  // A proxy to the simulator that drops a connection, without answering, when a request arrives on it
  // after the first: what a server whose keep-alive timer ran out does to a client's pooled socket.
  let proxy: http.Server;
  let proxyUrl: string;
  let dropEvery = false;
  beforeAll(async () => {
    const served = new WeakMap<net.Socket, number>();
    proxy = http.createServer((req, res) => {
      const count = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, count);
      if (dropEvery || count > 1) {
        req.socket.destroy();
        return;
      }
      forwardToSim(req, res);
    });
    proxyUrl = await listenAsNewbook(proxy);
  });
  afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

  it("sends again on a fresh connection, outside the retry budget", async () => {
    dropEvery = false;
    const { client, sleeps, events } = harness({ baseUrl: proxyUrl, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await client.authTest();
    expect(events.map((e) => e.outcome)).toEqual(["ok", "ok", "ok"]);
    expect(sleeps).toEqual([]);
    client.close();
  });

  it("fails with a network error when a fresh connection is dropped too", async () => {
    dropEvery = true;
    const { client, events } = harness({ baseUrl: proxyUrl, maxRetries: 0 });
    const error = await client.authTest().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookNetworkError);
    expect(events.map((e) => e.outcome)).toEqual(["network_error"]);
    client.close();
  });
});

describe("rate limiting", () => {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true });
  const prefix = `test-${process.pid}-${randomBytes(4).toString("hex")}`;
  afterAll(async () => {
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("takes a slot of the credential's shared budget before every attempt, retries included", async () => {
    await control.addFault(property.id, { type: "http503", count: 2, actions: ["auth_test"] });
    const limiter = new SlidingWindowRateLimiter({ redis, prefix, limit: 50, windowMs: 60_000 });
    const acquired: string[] = [];
    const { client } = harness({
      rateLimiter: { acquire: (key) => limiter.acquire(key).then(() => void acquired.push(key)) },
    });
    await client.authTest();
    const key = credentialKey({ baseUrl: sim.baseUrl, username: property.username, apiKey: property.apiKey });
    expect(acquired).toEqual([key, key, key]);
    expect(await redis.zcard(limiter.keyFor(key))).toBe(3);
    client.close();
  });
});

describe("secrets", () => {
  it("never writes the password or api key to the log, even while retrying", async () => {
    await control.addFault(property.id, { type: "http500", count: 1 });
    const stream = new PassThrough();
    let output = "";
    stream.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const logger = createLogger({ service: "test", level: "debug", format: "json", stream });
    logger.transports[0]!.silent = true;
    const { client } = harness({ logger });
    await client.authTest();
    await new Promise((resolve) => setImmediate(resolve));
    expect(output).toContain("Newbook request failed; retrying");
    expect(output).not.toContain(property.password);
    expect(output).not.toContain(property.apiKey);
    client.close();
  });
});
