import { randomUUID } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import type net from "node:net";
import { bookings, dailyOccupancy, newbookConnections, newbookFrequentSyncSettings } from "@occ/db";
import { mulberry32, type RunningSimulator } from "@occ/newbook-sim";
import { SimControlError } from "@occ/testkit";
import { and, eq, isNull, sql } from "drizzle-orm";
import { NewbookClient, newbookClientOptionsFromConfig } from "../newbook/client";
import { NewbookProtocolError } from "../newbook/errors";
import { addDays, localDateIn } from "../time";
import { runFrequentSync, stayingPeriod } from "./frequent-sync";
import { runHistoricalSync } from "./historical-sync";
import { type SyncWorld, startSyncWorld } from "./testing/sync-world";
import { frequentWindow } from "./window";

/**
 * The per-booking skip: a booking Newbook sends exactly as before (same raw digest) is recognised from its
 * stored row, neither validated nor rebuilt, and still counted. Every figure is checked against a run
 * that reads every booking afresh: that run must find nothing to change.
 */

let w: SyncWorld;
let proxy: http.Server | undefined;
let proxyUrl: string;
/** A booking id whose booking_arrival the proxy breaks in bookings_list answers; null: none. */
let brokenBooking: string | null = null;

/** Newbook in front of the simulator, passing answers through unless a booking is to be broken. */
async function startProxy(sim: RunningSimulator): Promise<string> {
  proxy = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${sim.baseUrl.replace(/\/rest$/, "")}${req.url}`, {
      method: req.method,
      headers: {
        "content-type": "application/json",
        authorization: String(req.headers.authorization ?? ""),
      },
      body: Buffer.concat(chunks),
    });
    let body = await upstream.text();
    if (brokenBooking !== null && req.url?.endsWith("/bookings_list")) {
      const answer = JSON.parse(body) as { data?: Array<Record<string, unknown>> };
      for (const booking of answer.data ?? []) {
        if (String(booking.booking_id) === brokenBooking) booking.booking_arrival = "not a date";
      }
      body = JSON.stringify(answer);
    }
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(body);
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}/rest`;
  return proxyUrl;
}

const sync = (now?: Date) =>
  runFrequentSync(
    { ...w.ctx, ...(now ? { now: () => now } : {}) },
    { kitchenId: w.kitchenId, runId: randomUUID(), trigger: "test" },
  );

/**
 * Forgets every raw digest and the page fingerprint, so the next run reads and validates every booking
 * afresh; answers what it changed. 0: the figures and rows of the skip path were exactly the full read's.
 */
async function changedByFullRead(now?: Date): Promise<number> {
  await w.db.handle.db.update(bookings).set({ rawDigest: null }).where(eq(bookings.kitchenId, w.kitchenId));
  await w.db.handle.db
    .update(newbookFrequentSyncSettings)
    .set({ listingFingerprint: null })
    .where(eq(newbookFrequentSyncSettings.kitchenId, w.kitchenId));
  const run = await sync(now);
  expect(w.listings.at(-1)!.known).toHaveLength(0);
  return run.rowsChanged;
}

/** The kitchen's first stored confirmed booking, by Newbook id: the one the tests edit in the simulator. */
async function firstConfirmedBooking() {
  const [row] = await w.db.handle.db
    .select({ newbookId: bookings.newbookId, adults: bookings.adults })
    .from(bookings)
    .where(and(eq(bookings.kitchenId, w.kitchenId), sql`lower(${bookings.status}) = ${"confirmed"}`))
    .orderBy(bookings.newbookId)
    .limit(1);
  return row!;
}

async function editOneBooking(): Promise<string> {
  const row = await firstConfirmedBooking();
  await w.control.request("PATCH", `/properties/${w.property.id}/bookings/${row.newbookId}`, {
    adults: row.adults === 1 ? 2 : 1,
  });
  return row.newbookId;
}

/**
 * The window's last date, changed behind the sync's back: whether the next run rewrites it shows whether
 * that run sent the date. `tamper` answers the adults stored there before (what the sync derived).
 */
function lastDayOf(to: string) {
  const db = w.db.handle.db;
  const lastDay = and(eq(dailyOccupancy.kitchenId, w.kitchenId), eq(dailyOccupancy.date, to));
  const adults = async () =>
    (await db.select({ adults: dailyOccupancy.adults }).from(dailyOccupancy).where(lastDay))[0]!.adults;
  const setAdults = (value: number) => db.update(dailyOccupancy).set({ adults: value }).where(lastDay);
  return {
    adults,
    setAdults,
    tamper: async () => {
      const derived = await adults();
      await setAdults(derived + 100);
      return derived;
    },
  };
}

beforeAll(async () => {
  w = await startSyncWorld({
    simulator: { seed: 23, rooms: 30, throttlePerMinute: 1_000_000 },
    settings: { daysAhead: 4 },
    baseUrl: startProxy,
    // Whole reads every run: what this file tests (the change feed between them: change-feed.int.test.ts).
    env: { SYNC_FULL_READ_MINUTES: "0" },
  });
  await sync();
});

afterAll(async () => {
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await w?.close();
});

beforeEach(() => {
  w.listings.length = 0;
  brokenBooking = null;
});

test("a booking edited in Newbook is read again; the others are recognised, not rebuilt, and still counted", async () => {
  const edited = await editOneBooking();
  const run = await sync();
  const listing = w.listings.at(-1)!;
  expect(listing.bookings!.map((b) => b.bookingId)).toEqual([edited]);
  expect(listing.known.length).toBeGreaterThan(10);
  expect(run.bookingsFetched).toBe(listing.known.length + 1);
  expect(run.bookingChanges).toBe(1);
  const [row] = await w.db.handle.db
    .select({ adults: bookings.adults, rawDigest: bookings.rawDigest })
    .from(bookings)
    .where(and(eq(bookings.kitchenId, w.kitchenId), eq(bookings.newbookId, edited)));
  expect(row!.adults).toBe(listing.bookings![0]!.adults);
  expect(row!.rawDigest).not.toBeNull();

  expect(await changedByFullRead()).toBe(0);
  // The full read recorded the digests again without rewriting a row: the next edit is skipped around.
  const [missing] = await w.db.handle.db
    .select({ count: sql<number>`count(*)::int` })
    .from(bookings)
    .where(and(eq(bookings.kitchenId, w.kitchenId), isNull(bookings.rawDigest)));
  expect(missing!.count).toBe(0);
});

test("a changed booking that fails validation fails the run exactly as reading the page whole does", async () => {
  brokenBooking = await editOneBooking();
  const error = await sync().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NewbookProtocolError);

  const client = new NewbookClient(
    newbookClientOptionsFromConfig(w.config, { ...w.property, baseUrl: proxyUrl }),
  );
  const window = frequentWindow(w.property.timezone, 4, new Date());
  const whole = await client
    .listBookings({ ...stayingPeriod(window.fetchFrom, window.to), listType: "staying" })
    .catch((e: unknown) => e);
  client.close();
  expect(whole).toBeInstanceOf(NewbookProtocolError);
  expect((error as NewbookProtocolError).message).toBe((whole as NewbookProtocolError).message);
  expect((error as NewbookProtocolError).field).toBe((whole as NewbookProtocolError).field);
});

test("a new day re-derives the window from the recognised bookings, exactly", async () => {
  await sync();
  const tomorrow = new Date(Date.now() + 86_400_000);
  await w.db.handle.db
    .update(newbookConnections)
    .set({ roomsRefreshedAt: new Date(tomorrow.getTime() - 3_600_000) })
    .where(eq(newbookConnections.kitchenId, w.kitchenId));
  const rolled = await sync(tomorrow);
  expect(rolled.window.from).toBe(localDateIn(w.property.timezone, tomorrow));
  expect(w.listings.at(-1)!.known.length).toBeGreaterThan(10);
  expect(rolled.rowsChanged).toBeGreaterThan(0);
  expect(await changedByFullRead(tomorrow)).toBe(0);
});

test("bookings whose guest data retention purged, or stored by another version, are read again", async () => {
  await sync();
  const [purged] = await w.db.handle.db
    .update(bookings)
    .set({ guestName: null, personalDataPurgedAt: new Date() })
    .where(
      and(
        eq(bookings.kitchenId, w.kitchenId),
        sql`${bookings.newbookId} = (select min(newbook_id) from bookings where kitchen_id = ${w.kitchenId} and guest_name is not null)`,
      ),
    )
    .returning({ newbookId: bookings.newbookId });
  const [other] = await w.db.handle.db
    .update(bookings)
    .set({ rawDigest: sql`'0:' || split_part(${bookings.rawDigest}, ':', 2)` })
    .where(and(eq(bookings.kitchenId, w.kitchenId), sql`${bookings.newbookId} <> ${purged!.newbookId}`))
    .returning({ newbookId: bookings.newbookId })
    .then((rows) => rows.slice(0, 1));
  const edited = await editOneBooking();
  await sync();
  const read = w.listings.at(-1)!.bookings!.map((b) => b.bookingId);
  expect(read).toEqual(expect.arrayContaining([purged!.newbookId, other!.newbookId, edited]));
  expect(await changedByFullRead()).toBe(0);
});

test("a changed window sends only the dates whose figures moved; a historical sync makes the next run send all", async () => {
  await sync();
  const { to } = frequentWindow(w.property.timezone, 4, new Date());
  const db = w.db.handle.db;
  const lastDay = lastDayOf(to);
  const derived = await lastDay.tamper();
  // The page looks changed, so it is read (every booking recognised) and derived again: same figures.
  const pretendPageChanged = () =>
    db
      .update(newbookFrequentSyncSettings)
      .set({
        listingFingerprint: sql`jsonb_set(${newbookFrequentSyncSettings.listingFingerprint}, '{pages}', '["moved"]')`,
      })
      .where(eq(newbookFrequentSyncSettings.kitchenId, w.kitchenId));
  await pretendPageChanged();
  const run = await sync();
  expect(w.listings.at(-1)!.bookings).toEqual([]);
  expect(run.rowsChanged).toBe(0);
  expect(await lastDay.adults()).toBe(derived + 100);

  // Another writer of the window (a historical sync of its days) leaves the next run nothing to trust.
  await runHistoricalSync(w.ctx, {
    kitchenId: w.kitchenId,
    runId: randomUUID(),
    dateFrom: to,
    dateTo: to,
    trigger: "test",
  });
  const [settings] = await db
    .select({ fingerprint: newbookFrequentSyncSettings.listingFingerprint })
    .from(newbookFrequentSyncSettings)
    .where(eq(newbookFrequentSyncSettings.kitchenId, w.kitchenId));
  expect(settings!.fingerprint).toBeNull();
  await lastDay.setAdults(derived + 100);
  await sync();
  expect(await lastDay.adults()).toBe(derived);
});

test("a changed booking re-derives only the dates it reaches", async () => {
  await sync();
  const { from, to } = frequentWindow(w.property.timezone, 4, new Date());
  const lastDay = lastDayOf(to);
  const derived = await lastDay.tamper();
  // One night from today, no meals: it reaches today and tomorrow (its departure), not the window's end.
  const added = await w.control.request<{ booking_id: string }>(
    "POST",
    `/properties/${w.property.id}/bookings`,
    {
      arrival: from,
      departure: addDays(from, 1),
      adults: 3,
      site_id: null,
    },
  );
  const run = await sync();
  expect(w.listings.at(-1)!.bookings!.map((b) => b.bookingId)).toEqual([String(added.booking_id)]);
  expect(run.rowsChanged).toBeGreaterThan(0);
  expect(await lastDay.adults()).toBe(derived + 100);
  // A full read finds that date only to put right: every date the booking reached was derived exactly.
  expect(await changedByFullRead()).toBe(1);
  expect(await lastDay.adults()).toBe(derived);
});

test("a booking moved out of the window is removed by a run that recognised the rest", async () => {
  await sync();
  const db = w.db.handle.db;
  const { to } = frequentWindow(w.property.timezone, 4, new Date());
  const row = await firstConfirmedBooking();
  // Far ahead and without a room: nothing is booked there to refuse the move.
  const arrival = addDays(to, 60);
  await w.control.request("PATCH", `/properties/${w.property.id}/bookings/${row.newbookId}`, {
    arrival,
    departure: addDays(arrival, 2),
    site_id: null,
  });
  const run = await sync();
  // Recognised: everything else of the span was known, so the moved one was looked up by its id alone.
  expect(w.listings.at(-1)!.known.length).toBeGreaterThan(0);
  expect(run.rowsChanged).toBeGreaterThan(0);
  const left = await db
    .select({ id: bookings.id })
    .from(bookings)
    .where(and(eq(bookings.kitchenId, w.kitchenId), eq(bookings.newbookId, row.newbookId)));
  expect(left).toEqual([]);
  expect(await changedByFullRead()).toBe(0);
});

test("edit after edit, the dates re-derived leave the window exactly as a full read (seeded)", async () => {
  const seed = Number(process.env.TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`incremental-derivation seed ${seed} (replay: TEST_SEED=${seed})`);
  const random = mulberry32(seed);
  const { from } = frequentWindow(w.property.timezone, 4, new Date());
  const db = w.db.handle.db;
  const day = (offset: number) => addDays(from, offset);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const meals = ["none", "bb", "dbb"] as const;
  await sync();
  for (let step = 0; step < 12; step++) {
    const stored = await db
      .select({ newbookId: bookings.newbookId })
      .from(bookings)
      .where(eq(bookings.kitchenId, w.kitchenId))
      .orderBy(bookings.newbookId);
    const target = stored[int(0, stored.length - 1)]!.newbookId;
    const arrival = day(int(-2, 5));
    const edit = [
      // moved in time (into, out of or across the window), or lengthened
      { arrival, departure: addDays(arrival, int(1, 4)) },
      { meals: meals[int(0, 2)] },
      { adults: int(1, 4), children: int(0, 2) },
      { site_id: null },
      { status: "Cancelled" },
    ][int(0, 4)]!;
    await w.control
      .request("PATCH", `/properties/${w.property.id}/bookings/${target}`, edit)
      // A room taken on the new dates, or a booking no longer editable: no change, nothing to check.
      .catch((error: unknown) => {
        if (!(error instanceof SimControlError && error.status >= 400 && error.status < 500)) throw error;
      });
    await sync();
    expect({ step, edit, changed: await changedByFullRead() }).toEqual({ step, edit, changed: 0 });
  }
});
