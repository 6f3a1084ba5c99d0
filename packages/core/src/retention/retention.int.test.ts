import { alerts, bookings, dailyOccupancy, kitchens, type RoomNight, syncRunDaily, syncRuns } from "@occ/db";
import { createTestDatabase, type TestDatabase } from "@occ/testkit";
import { asc, eq, inArray, sql } from "drizzle-orm";
import { addDays } from "../time";
import { runRetention } from "./retention";

// 22:30 UTC on 10 June is 23:30 on 10 June in London (BST) and already 11 June in Auckland.
const NOW = new Date("2025-06-10T22:30:00Z");
const POLICY = { guestDataDays: 30, bookingDays: 90, syncRunDays: 8, alertDays: 90, batchSize: 2 };

let t: TestDatabase;
let london: number;
let auckland: number;

const guestFields = {
  guestName: "Ava Smith",
  groupName: "Harper-Lee Wedding",
  guests: [{ name: "Ava Smith", dietary: ["Vegan"], vip: true }],
  kitchenNotes: ["Birthday cake with dinner"],
};

function booking(kitchenId: number, newbookId: string, departureDate: string) {
  return {
    kitchenId,
    newbookId,
    status: "Departed",
    arrivalDate: addDays(departureDate, -2),
    departureDate,
    adults: 2,
    contentHash: newbookId,
    ...guestFields,
  };
}

function night(bookingId: string): RoomNight {
  return {
    room: "101",
    siteId: "1",
    bookingId,
    groupId: null,
    guestName: "Ava Smith",
    adults: 2,
    children: 0,
    infants: 0,
    arrival: "2025-05-01",
    departure: "2025-05-03",
    hasBreakfast: true,
    isDbb: false,
  };
}

beforeAll(async () => {
  t = await createTestDatabase("occ_retention");
  const db = t.handle.db;
  const ids = await db
    .insert(kitchens)
    .values([
      { name: "London", timezone: "Europe/London" },
      { name: "Auckland", timezone: "Pacific/Auckland" },
    ])
    .returning({ id: kitchens.id });
  [london, auckland] = ids.map((k) => k.id) as [number, number];
  // London's today is 2025-06-10: cutoff 2025-05-11 (departures before it are purged).
  // Auckland's today is 2025-06-11: cutoff 2025-05-12.
  await db
    .insert(bookings)
    .values([
      booking(london, "L-old", "2025-05-10"),
      booking(london, "L-edge", "2025-05-11"),
      booking(london, "L-now", "2025-06-12"),
      booking(auckland, "A-old", "2025-05-11"),
      booking(london, "L-ancient", "2025-03-01"),
      booking(auckland, "A-ancient", "2025-03-12"),
      booking(auckland, "A-kept", "2025-03-13"),
    ]);
  await db.insert(dailyOccupancy).values([
    { kitchenId: london, date: "2025-05-09", roomBreakdown: [night("L-old")] },
    { kitchenId: london, date: "2025-05-11", roomBreakdown: [night("L-edge")] },
  ]);
  const run = (kitchenId: number, queuedAt: string, status: string, extra = {}) => ({
    kitchenId,
    kind: "frequent",
    trigger: "schedule",
    status,
    windowFrom: "2025-06-01",
    windowTo: "2025-06-08",
    queuedAt: new Date(queuedAt),
    durationMs: status === "skipped" ? null : 100,
    newbookCalls: 2,
    rowsChanged: 3,
    ...extra,
  });
  // Cutoff: the UTC day 8 days before 10 June -> runs queued before 2 June 00:00 UTC go.
  await db
    .insert(syncRuns)
    .values([
      run(london, "2025-05-30T10:00:00Z", "success", { durationMs: 100 }),
      run(london, "2025-05-30T11:00:00Z", "success", { durationMs: 300 }),
      run(london, "2025-05-30T12:00:00Z", "failed", { durationMs: 50, errorCode: "newbook_timeout" }),
      run(london, "2025-05-30T13:00:00Z", "skipped"),
      run(london, "2025-06-01T23:59:59Z", "failed", { durationMs: 20, errorCode: "config" }),
      run(london, "2025-05-30T14:00:00Z", "running"),
      run(london, "2025-06-02T00:00:00Z", "success"),
    ]);
  await db.insert(alerts).values([
    {
      kitchenId: london,
      kind: "stale",
      severity: "warning",
      state: "resolved",
      message: "old",
      resolvedAt: new Date("2025-03-01T00:00:00Z"),
    },
    {
      kitchenId: london,
      kind: "stale",
      severity: "warning",
      state: "resolved",
      message: "recent",
      resolvedAt: new Date("2025-05-01T00:00:00Z"),
    },
    {
      kitchenId: london,
      kind: "slow_sync",
      severity: "warning",
      state: "open",
      message: "open",
      openedAt: new Date("2025-01-01T00:00:00Z"),
    },
  ]);
}, 30_000);

afterAll(async () => {
  await t?.drop();
});

describe("runRetention", () => {
  it("purges, rolls up and deletes exactly what is past its retention, in the kitchen's own zone", async () => {
    const result = await runRetention(t.handle.db, POLICY, NOW);
    const db = t.handle.db;
    const rows = await db.select().from(bookings).orderBy(asc(bookings.newbookId));
    const byId = new Map(rows.map((r) => [r.newbookId, r]));
    // Deleted: departed more than 90 days before each kitchen's today.
    expect([...byId.keys()].sort()).toEqual(["A-kept", "A-old", "L-edge", "L-now", "L-old"]);
    const personal = (id: string) => {
      const r = byId.get(id)!;
      return [r.guestName, r.groupName, r.guests, r.kitchenNotes];
    };
    const purged = [null, null, [], []];
    expect(personal("L-old")).toEqual(purged);
    expect(personal("A-old")).toEqual(purged);
    expect(personal("A-kept")).toEqual(purged);
    expect(personal("L-edge")).toEqual([
      "Ava Smith",
      "Harper-Lee Wedding",
      guestFields.guests,
      guestFields.kitchenNotes,
    ]);
    expect(personal("L-now")[0]).toBe("Ava Smith");
    // Counts are not personal: they stay.
    expect(byId.get("L-old")!.adults).toBe(2);
    expect(byId.get("L-old")!.personalDataPurgedAt).toEqual(NOW);

    const nights = await db.select().from(dailyOccupancy).orderBy(asc(dailyOccupancy.date));
    expect(nights.map((n) => n.roomBreakdown[0]!.guestName)).toEqual([null, "Ava Smith"]);
    expect(nights[0]!.roomBreakdown[0]!.bookingId).toBe("L-old");

    const runs = await db.select().from(syncRuns).orderBy(asc(syncRuns.queuedAt));
    expect(runs.map((r) => r.status)).toEqual(["running", "success"]);
    const daily = await db.select().from(syncRunDaily).orderBy(asc(syncRunDaily.day));
    expect(daily.map(({ kitchenId, ...d }) => ({ ...d, kitchen: kitchenId === london }))).toEqual([
      {
        kitchen: true,
        day: "2025-05-30",
        kind: "frequent",
        runs: 4,
        successes: 2,
        failures: 1,
        skipped: 1,
        newbookFailures: 1,
        durationMsSum: 450,
        durationCount: 3,
        durationMsMax: 300,
        newbookCalls: 8,
        rowsChanged: 12,
      },
      {
        kitchen: true,
        day: "2025-06-01",
        kind: "frequent",
        runs: 1,
        successes: 0,
        failures: 1,
        skipped: 0,
        newbookFailures: 0,
        durationMsSum: 20,
        durationCount: 1,
        durationMsMax: 20,
        newbookCalls: 2,
        rowsChanged: 3,
      },
    ]);

    const kept = await db
      .select({ message: alerts.message })
      .from(alerts)
      .where(eq(alerts.kitchenId, london));
    expect(kept.map((a) => a.message).sort()).toEqual(["open", "recent"]);
    expect(result).toMatchObject({
      guestDataPurged: 5,
      roomNightsScrubbed: 1,
      bookingsDeleted: 2,
      syncRunsRolledUp: 5,
      alertsDeleted: 1,
    });
  });

  it("is idempotent: a second pass removes nothing and keeps the aggregates", async () => {
    const again = await runRetention(t.handle.db, POLICY, NOW);
    expect(again).toMatchObject({
      guestDataPurged: 0,
      roomNightsScrubbed: 0,
      bookingsDeleted: 0,
      syncRunsRolledUp: 0,
      alertsDeleted: 0,
    });
    const daily = await t.handle.db.select().from(syncRunDaily);
    expect(daily.reduce((n, d) => n + d.runs, 0)).toBe(5);
  });

  it("rolls a fleet up a few kitchens at a time: each kitchen's day written once, not once per batch", async () => {
    const db = t.handle.db;
    // 70 kitchens, more than two groups, 3 runs each on one old day, stored in time order across the fleet
    // as syncs write them; a batch holds more runs than a group has but fewer than the fleet's day.
    const fleet = (
      await db
        .insert(kitchens)
        .values(Array.from({ length: 70 }, (_, i) => ({ name: `Fleet ${i}`, timezone: "UTC" })))
        .returning({ id: kitchens.id })
    ).map((k) => k.id);
    const runs = ["09", "10", "11"].flatMap((hour) =>
      fleet.map((kitchenId) => ({
        kitchenId,
        kind: "frequent",
        trigger: "schedule",
        status: "success",
        windowFrom: "2025-05-20",
        windowTo: "2025-05-27",
        queuedAt: new Date(`2025-05-20T${hour}:00:00Z`),
        durationMs: 100,
      })),
    );
    await db.insert(syncRuns).values(runs);
    // Every update of an aggregate row leaves a dead row behind: count them.
    await db.execute(sql`create table daily_updates (n int)`);
    await db.execute(sql`create function count_daily_update() returns trigger language plpgsql as
      $$ begin insert into daily_updates values (1); return new; end $$`);
    await db.execute(sql`create trigger count_daily_update before update on sync_run_daily
      for each row execute function count_daily_update()`);

    const result = await runRetention(db, { ...POLICY, batchSize: 100 }, NOW);
    expect(result.syncRunsRolledUp).toBe(210);
    const daily = await db.select().from(syncRunDaily).where(inArray(syncRunDaily.kitchenId, fleet));
    expect(daily).toHaveLength(70);
    expect(daily.every((d) => d.runs === 3 && d.successes === 3 && d.durationMsSum === 300)).toBe(true);
    const counted = await db.execute(sql`select count(*)::int as n from daily_updates`);
    const [updates] = (counted as unknown as { rows: { n: number }[] }).rows;
    expect(updates!.n).toBe(0);
  });
});
