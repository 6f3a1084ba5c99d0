import { randomUUID } from "node:crypto";
import { type Db, dailyOccupancy, newbookConnections, schema } from "@occ/db";
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { localDateIn } from "../time";
import { runFrequentSync } from "./frequent-sync";
import { type SyncWorld, startSyncWorld } from "./testing/sync-world";

let w: SyncWorld;

const sync = () => runFrequentSync(w.ctx, { kitchenId: w.kitchenId, runId: randomUUID(), trigger: "test" });
const today = () => localDateIn(w.property.timezone);

async function todaysAdults(): Promise<number> {
  const [row] = await w.db.handle.db
    .select({ adults: dailyOccupancy.adults })
    .from(dailyOccupancy)
    .where(and(eq(dailyOccupancy.kitchenId, w.kitchenId), eq(dailyOccupancy.date, today())));
  return row!.adults;
}

beforeAll(async () => {
  w = await startSyncWorld({
    simulator: { seed: 5, rooms: 20, throttlePerMinute: 1_000_000 },
    settings: { daysAhead: 3 },
    // Whole reads every run: what this file tests (the change feed between them: change-feed.int.test.ts).
    env: { SYNC_FULL_READ_MINUTES: "0" },
  });
});

afterAll(async () => {
  await w?.close();
});

beforeEach(() => {
  w.listings.length = 0;
});

test("a window whose Newbook answer is byte-identical is neither parsed nor written", async () => {
  const first = await sync();
  expect(first.rowsChanged).toBeGreaterThan(0);
  expect(w.listings.at(-1)!.bookings).not.toBeNull();

  // A hand-edited figure shows whether the next run wrote anything.
  const adults = await todaysAdults();
  await w.db.handle.db
    .update(dailyOccupancy)
    .set({ adults: adults + 1000 })
    .where(and(eq(dailyOccupancy.kitchenId, w.kitchenId), eq(dailyOccupancy.date, today())));

  const unchanged = await sync();
  expect(w.listings.at(-1)!.bookings).toBeNull();
  expect(unchanged).toMatchObject({
    status: "success",
    rowsChanged: 0,
    bookingsFetched: first.bookingsFetched,
  });
  expect(await todaysAdults()).toBe(adults + 1000);
});

test("one booking changed in Newbook makes the next run read and write the window again", async () => {
  const property = w.property;
  const booking = await w.control.request<{ booking_id: string }>(
    "POST",
    `/properties/${property.id}/bookings`,
    {
      arrival: today(),
      departure: localDateIn(property.timezone, new Date(Date.now() + 2 * 86_400_000)),
      adults: 2,
      site_id: null,
    },
  );
  const changed = await sync();
  expect(w.listings.at(-1)!.bookings?.some((b) => b.bookingId === String(booking.booking_id))).toBe(true);
  expect(changed.rowsChanged).toBeGreaterThan(0);
  expect(changed.bookingsFetched).toBeGreaterThan(0);
  // Written from Newbook again: the hand edit is gone.
  expect(await todaysAdults()).toBeLessThan(1000);

  const again = await sync();
  expect(w.listings.at(-1)!.bookings).toBeNull();
  expect(again.rowsChanged).toBe(0);
});

test("an unchanged window costs the run's own bookkeeping only: no transaction, no data, no fingerprint", async () => {
  await sync();
  // The same database through a logger: every statement the next run sends.
  const statements: string[] = [];
  const logged = drizzle(w.db.handle.pool!, {
    schema,
    logger: { logQuery: (query) => statements.push(query.toLowerCase()) },
  }) as unknown as Db;
  const unchanged = await runFrequentSync(
    { ...w.ctx, db: logged },
    { kitchenId: w.kitchenId, runId: randomUUID(), trigger: "test" },
  );
  expect(w.listings.at(-1)!.bookings).toBeNull();
  expect(unchanged.rowsChanged).toBe(0);
  // Start the run (reading its kitchen's setup), record its success: one statement each.
  expect(statements).toHaveLength(2);
  expect(statements.some((sql) => /\b(begin|commit)\b/.test(sql))).toBe(false);
  for (const table of ["bookings", "daily_occupancy", "booking_changes"]) {
    expect(statements.some((sql) => sql.includes(`"${table}"`))).toBe(false);
  }
  expect(statements.some((sql) => sql.includes('listing_fingerprint" ='))).toBe(false);
});

test("a changed meal mapping re-derives the window even when Newbook's answer is the same", async () => {
  await sync();
  await w.db.handle.db
    .update(newbookConnections)
    .set({ breakfastGlAccountIds: ["gl-breakfast"] })
    .where(eq(newbookConnections.kitchenId, w.kitchenId));
  await sync();
  expect(w.listings.at(-1)!.bookings).not.toBeNull();
});

test("a new day re-reads and re-derives the window even with the room count fresh", async () => {
  await sync();
  await sync();
  expect(w.listings.at(-1)!.bookings).toBeNull();
  // Tomorrow, with the room count refreshed an hour before: only the day differs from the last run.
  const tomorrow = new Date(Date.now() + 86_400_000);
  await w.db.handle.db
    .update(newbookConnections)
    .set({ roomsRefreshedAt: new Date(tomorrow.getTime() - 3_600_000) })
    .where(eq(newbookConnections.kitchenId, w.kitchenId));
  const rolled = await runFrequentSync(
    { ...w.ctx, now: () => tomorrow },
    { kitchenId: w.kitchenId, runId: randomUUID(), trigger: "test" },
  );
  expect(w.listings.at(-1)!.bookings).not.toBeNull();
  expect(rolled.window.from).toBe(localDateIn(w.property.timezone, tomorrow));
  expect(rolled.rowsChanged).toBeGreaterThan(0);
});
