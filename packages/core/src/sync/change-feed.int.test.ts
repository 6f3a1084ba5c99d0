import { randomUUID } from "node:crypto";
import {
  bookingChanges,
  bookings,
  type Db,
  dailyOccupancy,
  newbookConnections,
  newbookFrequentSyncSettings,
  schema,
  syncRuns,
} from "@occ/db";
import { mulberry32 } from "@occ/newbook-sim";
import { SimControlError, seedKitchenWithConnection } from "@occ/testkit";
import { and, asc, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { addDays, localDateIn } from "../time";
import type { SyncContext } from "./context";
import { runFrequentSync } from "./frequent-sync";
import { type SyncWorld, startSyncWorld } from "./testing/sync-world";

/**
 * The change feed between whole reads: after every round of random edits in Newbook, a kitchen syncing
 * from the feed must hold exactly what a kitchen reading its window whole holds (bookings hash for hash,
 * daily figures, the change set), and a whole read afterwards must find nothing to change. Both kitchens
 * are set to a time zone 14 hours off the hotel's: where the feed starts is read off Newbook's stamps, so a
 * wrong zone setting (or clock) cannot make it miss a change.
 */

const SEED = Number(process.env.TEST_SEED ?? 20261201);
const DAYS_AHEAD = 5;
let w: SyncWorld;
let feedKitchen: number;
let wholeKitchen: number;
let wholeRead: SyncContext;
let today: string;
/** A new kitchen over the test hotel, in the zone both compared kitchens are set to. */
let seedKitchen: (name: string) => Promise<number>;

const sync = (kitchenId: number, ctx: SyncContext = w.ctx) =>
  runFrequentSync(ctx, { kitchenId, runId: randomUUID(), trigger: "test" });

/** What the kitchen stores, in a form two kitchens can be compared by. */
async function stored(kitchenId: number) {
  const db = w.db.handle.db;
  const rows = await db
    .select({ newbookId: bookings.newbookId, contentHash: bookings.contentHash })
    .from(bookings)
    .where(eq(bookings.kitchenId, kitchenId))
    .orderBy(asc(bookings.newbookId));
  const days = await db
    .select({
      date: dailyOccupancy.date,
      roomsOccupied: dailyOccupancy.roomsOccupied,
      adults: dailyOccupancy.adults,
      children: dailyOccupancy.children,
      arrivals: dailyOccupancy.arrivals,
      departures: dailyOccupancy.departures,
      breakfastCovers: dailyOccupancy.breakfastCovers,
      dinnerCovers: dailyOccupancy.dinnerCovers,
      roomBreakdown: dailyOccupancy.roomBreakdown,
    })
    .from(dailyOccupancy)
    .where(eq(dailyOccupancy.kitchenId, kitchenId))
    .orderBy(asc(dailyOccupancy.date));
  return { rows, days };
}

/** The change set a kitchen recorded since `since` (its run ids aside). */
async function changesSince(kitchenId: number, since: Date) {
  const rows = await w.db.handle.db
    .select({ bookingId: bookingChanges.bookingId, kind: bookingChanges.kind, fields: bookingChanges.fields })
    .from(bookingChanges)
    .where(and(eq(bookingChanges.kitchenId, kitchenId), sql`${bookingChanges.syncedAt} >= ${since}`));
  return rows
    .map((row) => `${row.bookingId} ${row.kind} ${JSON.stringify(row.fields)}`)
    .sort((a, b) => a.localeCompare(b));
}

/** How a run read Newbook, as its history shows it. */
async function readOf(run: { runId: string }) {
  const [row] = await w.db.handle.db
    .select({ read: syncRuns.read })
    .from(syncRuns)
    .where(eq(syncRuns.id, run.runId));
  return row?.read;
}

async function fingerprintOf(kitchenId: number) {
  const [row] = await w.db.handle.db
    .select({ fingerprint: newbookFrequentSyncSettings.listingFingerprint })
    .from(newbookFrequentSyncSettings)
    .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
  return row?.fingerprint ?? null;
}

/** The listings the engine asked for since `from` (an index into w.listings), by list type. */
const listTypesSince = (from: number) => w.listings.slice(from).map((listing) => listing.query.listType);

beforeAll(async () => {
  process.stdout.write(`change-feed.int seed ${SEED} (TEST_SEED to repeat)\n`);
  w = await startSyncWorld({
    simulator: { seed: SEED % 1000, rooms: 30, throttlePerMinute: 1_000_000 },
    settings: { daysAhead: DAYS_AHEAD },
  });
  const timezone =
    w.property.timezone === "Pacific/Kiritimati" ? "America/Los_Angeles" : "Pacific/Kiritimati";
  seedKitchen = async (name) =>
    (
      await seedKitchenWithConnection(w.db.handle.db, {
        name,
        timezone,
        property: w.property,
        baseUrl: w.sim.baseUrl,
        encryptionKey: w.config.ENCRYPTION_KEY!,
        settings: { daysAhead: DAYS_AHEAD },
      })
    ).kitchenId;
  feedKitchen = await seedKitchen("Feed");
  wholeKitchen = await seedKitchen("Whole");
  wholeRead = { ...w.ctx, config: { ...w.ctx.config, SYNC_FULL_READ_MINUTES: 0 } };
  today = localDateIn(timezone, new Date());
  await sync(feedKitchen);
  await sync(wholeKitchen, wholeRead);
});

afterAll(async () => {
  await w?.close();
});

/** One random edit in Newbook: a new booking, changed guests or meals, moved dates, a room move, a check-in, a cancellation. */
async function randomEdit(rng: () => number, ids: string[]): Promise<string> {
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng() * items.length)]!;
  const id = pick(ids);
  const path = `/properties/${w.property.id}/bookings`;
  const kind = pick(["add", "guests", "meals", "dates", "room", "arrive", "cancel"] as const);
  const arrival = addDays(today, Math.floor(rng() * (DAYS_AHEAD + 3)) - 2);
  const edits: Record<typeof kind, () => Promise<unknown>> = {
    add: () =>
      w.control.request("POST", path, {
        arrival,
        departure: addDays(arrival, 1 + Math.floor(rng() * 4)),
        adults: 1 + Math.floor(rng() * 3),
        meals: pick(["none", "bb", "dbb"]),
      }),
    guests: () =>
      w.control.request("PATCH", `${path}/${id}`, {
        adults: 1 + Math.floor(rng() * 3),
        children: Math.floor(rng() * 2),
      }),
    meals: () => w.control.request("PATCH", `${path}/${id}`, { meals: pick(["none", "bb", "dbb"]) }),
    dates: () =>
      w.control.request("PATCH", `${path}/${id}`, {
        arrival,
        departure: addDays(arrival, 1 + Math.floor(rng() * 3)),
      }),
    room: () => w.control.request("PATCH", `${path}/${id}`, { site_id: null }),
    arrive: () => w.control.request("PATCH", `${path}/${id}`, { status: "arrived" }),
    cancel: () => w.control.request("POST", `${path}/${id}/cancel`),
  };
  try {
    await edits[kind]();
    return kind;
  } catch (error) {
    // A room taken, a booking cancelled already: Newbook refuses it too, and nothing changed.
    if (error instanceof SimControlError && (error.status === 409 || error.status === 400))
      return `${kind} refused`;
    throw error;
  }
}

it("derives again the dates a moved booking left, though the feed sends only where it went", async () => {
  // A kitchen of its own, read whole just now, before the other tests' edits: of what its feed sends, the
  // moved booking alone is in the window (checked below), so nothing else read reaches the dates it left.
  const kitchen = await seedKitchen("Moved");
  await sync(kitchen);
  // A stored booking staying at the start of the window, moved to its end: the dates it left change too.
  const [early] = await w.db.handle.db
    .select({ newbookId: bookings.newbookId })
    .from(bookings)
    .where(
      and(
        eq(bookings.kitchenId, kitchen),
        eq(bookings.arrivalDate, today),
        sql`${bookings.departureDate} <= ${addDays(today, 2)}`,
        sql`${bookings.status} not in ('cancelled', 'no_show')`,
      ),
    )
    .limit(1);
  const arrival = addDays(today, DAYS_AHEAD - 1);
  await w.control.request("PATCH", `/properties/${w.property.id}/bookings/${early!.newbookId}`, {
    arrival,
    departure: addDays(arrival, 1),
    site_id: null,
  });
  const feedRun = await sync(kitchen);
  expect(await readOf(feedRun)).toBe("changes");
  const inWindow = (w.listings.at(-1)!.bookings ?? []).filter(
    (booking) => booking.arrivalDate <= addDays(today, DAYS_AHEAD) && booking.departureDate >= today,
  );
  expect(inWindow.map((booking) => booking.bookingId)).toEqual([early!.newbookId]);
  await sync(wholeKitchen, wholeRead);
  expect(await stored(kitchen)).toEqual(await stored(wholeKitchen));
  // The kitchens the next tests compare have both seen the move before their rounds of edits start.
  await sync(feedKitchen);
});

it("holds exactly what whole reads hold after every round of random edits, reading only the feed", async () => {
  const rng = mulberry32(SEED);
  let recognisedRounds = 0;
  for (let round = 0; round < 20; round++) {
    const ids = (await stored(wholeKitchen)).rows.map((row) => row.newbookId);
    const edits: string[] = [];
    for (let i = 1 + Math.floor(rng() * 4); i > 0; i--) edits.push(await randomEdit(rng, ids));
    const roundStarted = new Date();
    const listed = w.listings.length;
    const feedRun = await sync(feedKitchen);
    // The feed kitchen read the change feed only: one call, no whole read.
    expect({
      round,
      edits,
      lists: listTypesSince(listed),
      calls: feedRun.newbookCalls,
      read: await readOf(feedRun),
    }).toEqual({ round, edits, lists: ["all"], calls: 1, read: "changes" });
    // Earlier rounds' edits are still in the feed's overlap: recognised from the fingerprint, not read.
    if (w.listings.at(-1)!.known.length > 0) recognisedRounds++;
    // Run again at once: the feed starts later now (at the new stamps), and what it sends again is
    // recognised from the fingerprint; once more, and its answer is the same byte for byte, not read at all.
    const again = await sync(feedKitchen);
    expect({ round, read: w.listings.at(-1)!.bookings ?? [], changed: again.rowsChanged }).toEqual({
      round,
      read: [],
      changed: 0,
    });
    const third = await sync(feedKitchen);
    expect({ round, read: w.listings.at(-1)!.bookings, changed: third.rowsChanged }).toEqual({
      round,
      read: null,
      changed: 0,
    });
    expect(await readOf(await sync(wholeKitchen, wholeRead))).toBe("whole");
    const [feed, whole] = [await stored(feedKitchen), await stored(wholeKitchen)];
    expect({ round, edits, ...feed }).toEqual({ round, edits, ...whole });
    expect({ round, edits, changes: await changesSince(feedKitchen, roundStarted) }).toEqual({
      round,
      edits,
      changes: await changesSince(wholeKitchen, roundStarted),
    });
  }
  expect(recognisedRounds).toBeGreaterThan(0);
  // The bookings the feed wrote carry their raw digests: a whole read recognises them and changes nothing.
  const listed = w.listings.length;
  const check = await sync(feedKitchen, wholeRead);
  expect(listTypesSince(listed)).toEqual(["staying"]);
  expect(check.rowsChanged).toBe(0);
  expect(w.listings.at(-1)!.bookings ?? []).toHaveLength(0);
});

it("a booking changed since costs a feed run four statements besides its start and outcome", async () => {
  const kitchen = await seedKitchen("Statements");
  await sync(kitchen);
  const [stay] = await w.db.handle.db
    .select({ newbookId: bookings.newbookId, adults: bookings.adults })
    .from(bookings)
    .where(and(eq(bookings.kitchenId, kitchen), eq(bookings.arrivalDate, today)))
    .limit(1);
  await w.control.request("PATCH", `/properties/${w.property.id}/bookings/${stay!.newbookId}`, {
    adults: stay!.adults === 1 ? 2 : 1,
  });
  // The same database through a logger: every statement the run sends.
  const statements: string[] = [];
  const logged = drizzle(w.db.handle.pool!, {
    schema,
    logger: { logQuery: (query) => statements.push(query.toLowerCase()) },
  }) as unknown as Db;
  const run = await sync(kitchen, { ...w.ctx, db: logged });
  expect(await readOf(run)).toBe("changes");
  expect(run.rowsChanged).toBeGreaterThan(0);
  // Start; the stored stays of the dates the change reaches, with the changed booking's stored row; then
  // the transaction: the write (bookings, daily rows and change set in one statement) and the outcome.
  const kinds = statements.map((sql) =>
    sql.startsWith('with "started_run"')
      ? "start"
      : sql.startsWith('with "finished_run"')
        ? "outcome"
        : /^\s*with b as \(insert into "bookings"/.test(sql)
          ? "write"
          : /^\s*select coalesce\(json_agg/.test(sql)
            ? "stored span"
            : sql.trim(),
  );
  expect(kinds).toEqual(["start", "stored span", "begin", "write", "outcome", "commit"]);
});

it("records where the feed starts on Newbook's clock, and reads the window whole once it is due", async () => {
  // A kitchen of its own: half an hour on can be the zone's next day (Kiritimati's midnight is 10:00 UTC),
  // and that run stores the next day's window, which the kitchens compared here must not hold.
  const kitchen = await seedKitchen("Later");
  await sync(kitchen);
  const fingerprint = await fingerprintOf(kitchen);
  expect(fingerprint?.changesSince).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  expect(Date.parse(fingerprint!.fullReadAt!)).toBeGreaterThan(Date.now() - 60_000);
  await sync(kitchen);
  // SYNC_FULL_READ_MINUTES (30) later the window is read whole again (a new day would do that too).
  const later = new Date(Date.parse(fingerprint!.fullReadAt!) + 30 * 60_000);
  const listed = w.listings.length;
  await sync(kitchen, { ...w.ctx, now: () => later });
  expect(listTypesSince(listed)).toEqual(["staying"]);
  expect((await fingerprintOf(kitchen))?.fullReadAt).toBe(later.toISOString());
});

it("reads the window whole when a changed booking's stored neighbours cannot be recognised", async () => {
  await sync(feedKitchen);
  // Retention purged one stored booking's guest data: what a whole read would replace is unknown.
  const db = w.db.handle.db;
  await db
    .update(bookings)
    .set({ personalDataPurgedAt: new Date() })
    .where(
      and(
        eq(bookings.kitchenId, feedKitchen),
        sql`${bookings.newbookId} = (select min(newbook_id) from bookings where kitchen_id = ${feedKitchen})`,
      ),
    );
  const ids = (await stored(feedKitchen)).rows.map((row) => row.newbookId);
  await w.control.request("PATCH", `/properties/${w.property.id}/bookings/${ids.at(-1)}`, { adults: 3 });
  const listed = w.listings.length;
  const fellBack = await sync(feedKitchen);
  expect(listTypesSince(listed)).toEqual(["all", "staying"]);
  expect(await readOf(fellBack)).toBe("whole");
  await sync(wholeKitchen, wholeRead);
  expect(await stored(feedKitchen)).toEqual(await stored(wholeKitchen));
  // The mark alone was set (the content was not purged), so the whole read had nothing to rewrite: lift it.
  await db.update(bookings).set({ personalDataPurgedAt: null }).where(eq(bookings.kitchenId, feedKitchen));
});

it("reads the window whole at once when the connection is saved anew (another account, say)", async () => {
  // On the feed first, then the connection saved: its feed would be another account's.
  await sync(feedKitchen);
  let listed = w.listings.length;
  await sync(feedKitchen);
  expect(listTypesSince(listed)).toEqual(["all"]);
  await w.db.handle.db
    .update(newbookConnections)
    .set({ updatedAt: new Date() })
    .where(eq(newbookConnections.kitchenId, feedKitchen));
  listed = w.listings.length;
  await sync(feedKitchen);
  await sync(feedKitchen);
  expect(listTypesSince(listed)).toEqual(["staying", "all"]);
});

it("keeps reading whole, with the per-booking skip, an account whose bookings carry no booking_modified", async () => {
  await w.control.setSwitches({ booking_modified: false });
  try {
    const db = w.db.handle.db;
    await db
      .update(newbookFrequentSyncSettings)
      .set({ listingFingerprint: null })
      .where(eq(newbookFrequentSyncSettings.kitchenId, feedKitchen));
    // No start known: every booking is read once for its stamps, and there are none.
    await sync(feedKitchen);
    const readOnce = w.listings.at(-1)!;
    expect(readOnce.query.listType).toBe("staying");
    expect(readOnce.known).toHaveLength(0);
    expect((await fingerprintOf(feedKitchen))?.changesSince).toBeUndefined();
    // Then whole reads as before the feed: what is stored is recognised, not read again.
    const listed = w.listings.length;
    const next = await sync(feedKitchen);
    expect(listTypesSince(listed)).toEqual(["staying"]);
    expect(w.listings.at(-1)!.bookings ?? []).toHaveLength(0);
    expect(next.rowsChanged).toBe(0);
  } finally {
    await w.control.setSwitches({ booking_modified: true });
  }
});
