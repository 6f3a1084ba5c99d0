import { randomUUID } from "node:crypto";
import { bookings, dailyOccupancy, newbookFrequentSyncSettings, syncRuns } from "@occ/db";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import { createTestDatabase, SimControl, seedKitchenWithConnection, type TestDatabase } from "@occ/testkit";
import { and, asc, eq } from "drizzle-orm";
import { type Config, loadConfig } from "../config";
import { generateEncryptionKey } from "../crypto";
import { createLogger } from "../logger";
import { NewbookClient, newbookClientOptionsFromConfig } from "../newbook/client";
import { addDays, dateRange, localDateIn } from "../time";
import { rowToStay } from "./booking-rows";
import type { SyncContext } from "./context";
import { deriveDailyFigures } from "./derive";
import { runFrequentSync } from "./frequent-sync";
import { recordRunFailure } from "./status";

const PAGE_SIZE = 10;
const DAYS_AHEAD = 7;

let sim: RunningSimulator;
let testDb: TestDatabase;
let config: Config;
let ctx: SyncContext;
let kitchenId: number;
let today: string;

const control = <T>(method: string, path: string, body?: unknown) =>
  new SimControl(sim.controlUrl).request<T>(method, path, body);

const property = () => sim.properties[0]!;

async function sync(trigger = "test") {
  return runFrequentSync(ctx, { kitchenId, runId: randomUUID(), trigger });
}

async function dailyRows(forKitchen = kitchenId) {
  return testDb.handle.db
    .select()
    .from(dailyOccupancy)
    .where(eq(dailyOccupancy.kitchenId, forKitchen))
    .orderBy(asc(dailyOccupancy.date));
}

async function settingsRow() {
  const [row] = await testDb.handle.db
    .select()
    .from(newbookFrequentSyncSettings)
    .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
  return row;
}

type Row = Awaited<ReturnType<typeof dailyRows>>[number];
const on = (rows: Row[], offset: number) => rows.find((r) => r.date === addDays(today, offset))!;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    properties: 2,
    rooms: 30,
    timezones: ["Europe/London", "Pacific/Auckland"],
    // Small pages make many calls; Newbook's real per-minute limit would stall the later tests on 429s.
    throttlePerMinute: 1_000_000,
  });
  testDb = await createTestDatabase();
  const encryptionKey = generateEncryptionKey();
  config = loadConfig({
    ENCRYPTION_KEY: encryptionKey,
    NEWBOOK_MAX_RETRIES: "1",
    NEWBOOK_RETRY_BASE_MS: "1",
  });
  ctx = {
    db: testDb.handle.db,
    config,
    logger: createLogger({ service: "sync-test", level: "error" }),
    // Small pages, so a window takes several bookings_list calls and a fault can land mid-way.
    clientFor: (connection) =>
      new NewbookClient({ ...newbookClientOptionsFromConfig(config, connection), pageSize: PAGE_SIZE }),
  };
  ({ kitchenId } = await seedKitchenWithConnection(testDb.handle.db, {
    timezone: property().timezone,
    property: property(),
    baseUrl: sim.baseUrl,
    encryptionKey,
    settings: { daysAhead: DAYS_AHEAD },
  }));
  today = localDateIn(property().timezone);
  // A figure for yesterday that a frequent sync must never touch.
  await testDb.handle.db.insert(dailyOccupancy).values({ kitchenId, date: addDays(today, -1), adults: 99 });
}, 30_000);

afterAll(async () => {
  await sim?.close();
  await testDb?.drop();
});

describe("runFrequentSync against the simulator and PostgreSQL", () => {
  let baseline: Row[];

  it("writes one row per window date that agrees with Newbook's own occupancy report", async () => {
    const result = await sync();
    expect(result.status).toBe("success");
    expect(result.window.from).toBe(today);
    expect(result.bookingsFetched).toBeGreaterThan(PAGE_SIZE);
    // sites_list + at least two bookings_list pages.
    expect(result.newbookCalls).toBeGreaterThanOrEqual(3);

    baseline = (await dailyRows()).filter((r) => r.date >= today);
    expect(baseline.map((r) => r.date)).toEqual(
      Array.from({ length: DAYS_AHEAD + 1 }, (_, i) => addDays(today, i)),
    );
    expect(baseline.every((r) => r.roomsAvailable === 30)).toBe(true);

    const client = new NewbookClient(
      newbookClientOptionsFromConfig(config, { baseUrl: sim.baseUrl, ...property() }),
    );
    const report = await client.reportsOccupancy(today, addDays(today, DAYS_AHEAD));
    client.close();
    for (const row of baseline) {
      const occupied = report.reduce(
        (n, c) => n + (c.days.find((d) => d.date === row.date)?.occupied ?? 0),
        0,
      );
      expect([row.date, row.roomsOccupied]).toEqual([row.date, occupied]);
      expect(row.roomBreakdown).toHaveLength(occupied);
    }
    expect(baseline.some((r) => r.breakfastCovers > 0)).toBe(true);

    // The rows were derived in memory from the fetched bookings; deriving from what is stored agrees.
    const stored = await testDb.handle.db.select().from(bookings).where(eq(bookings.kitchenId, kitchenId));
    const fromStored = deriveDailyFigures(
      stored.map(rowToStay),
      dateRange(today, addDays(today, DAYS_AHEAD)),
      {
        roomsAvailable: 30,
        mealMapping: { breakfastGlAccountIds: [], dinnerGlAccountIds: [] },
      },
    );
    expect(
      baseline.map(
        ({ id, kitchenId, previousFigures, changedAt, sourceRunId, fetchedAt, ...figures }) => figures,
      ),
    ).toEqual(fromStored);

    const settings = await settingsRow();
    expect(settings).toMatchObject({
      lastSyncStatus: "success",
      consecutiveFailures: 0,
      lastErrorMessage: null,
    });
    expect(settings?.lastSuccessAt).toBeInstanceOf(Date);
  });

  it("changes nothing when run again with no change in Newbook", async () => {
    const before = await dailyRows();
    const result = await sync();
    expect(result.rowsChanged).toBe(0);
    expect(await dailyRows()).toEqual(before);
    const [run] = await testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, result.runId));
    expect(run).toMatchObject({ status: "success", rowsChanged: 0, kind: "frequent" });
  });

  let added: { booking_id: string | number; site_id: string | number | null };

  it("reflects a new booking after the next sync, and only on its dates", async () => {
    const before = await dailyRows();
    added = await control("POST", `/properties/${property().id}/bookings`, {
      arrival: addDays(today, 2),
      departure: addDays(today, 4),
      adults: 2,
      children: 1,
      meals: "dbb",
    });
    const result = await sync();
    const after = await dailyRows();
    expect(result.rowsChanged).toBe(
      1 + 3 + 1 /* booking + arrival..departure dates + breakfast-only day 4 */ - 1,
    );

    expect(on(after, 2).arrivals - on(before, 2).arrivals).toBe(1);
    expect(on(after, 2).arrivalGuests - on(before, 2).arrivalGuests).toBe(3);
    expect([2, 3].map((d) => on(after, d).adults - on(before, d).adults)).toEqual([2, 2]);
    expect([2, 3].map((d) => on(after, d).dinnerCovers - on(before, d).dinnerCovers)).toEqual([3, 3]);
    expect([3, 4].map((d) => on(after, d).breakfastCovers - on(before, d).breakfastCovers)).toEqual([3, 3]);
    expect(on(after, 4).departures - on(before, 4).departures).toBe(1);
    const night = on(after, 2).roomBreakdown.find((r) => r.bookingId === String(added.booking_id));
    expect(night).toMatchObject({ adults: 2, children: 1, hasBreakfast: true, isDbb: true });

    // Changed dates keep the figures they replaced; untouched dates are not rewritten at all.
    expect(on(after, 2).previousFigures).toMatchObject({
      arrivals: on(before, 2).arrivals,
      adults: on(before, 2).adults,
    });
    expect(on(after, 2).changedAt).toBeInstanceOf(Date);
    for (const d of [0, 1, 5, 6, 7]) expect(on(after, d)).toEqual(on(before, d));
  });

  it("reflects a date change", async () => {
    const before = await dailyRows();
    // Arriving a day later (a shorter stay cannot collide with another booking of the room).
    await control("PATCH", `/properties/${property().id}/bookings/${added.booking_id}`, {
      arrival: addDays(today, 3),
    });
    await sync();
    const after = await dailyRows();
    const delta = (d: number, key: "adults" | "arrivals" | "dinnerCovers" | "breakfastCovers") =>
      on(after, d)[key] - on(before, d)[key];
    expect([2, 3, 4].map((d) => delta(d, "adults"))).toEqual([-2, 0, 0]);
    expect([2, 3].map((d) => delta(d, "arrivals"))).toEqual([-1, 1]);
    expect([2, 3].map((d) => delta(d, "dinnerCovers"))).toEqual([-3, 0]);
    expect([3, 4].map((d) => delta(d, "breakfastCovers"))).toEqual([-3, 0]);
  });

  it("reflects a room move", async () => {
    const client = new NewbookClient(
      newbookClientOptionsFromConfig(config, { baseUrl: sim.baseUrl, ...property() }),
    );
    const sites = await client.listSites();
    client.close();
    const busy = new Set(on(await dailyRows(), 3).roomBreakdown.map((r) => r.siteId));
    const target = sites.find((s) => !busy.has(s.siteId));
    if (!target) throw new Error("the simulator has no free room on night 3 to move to");
    await control("PATCH", `/properties/${property().id}/bookings/${added.booking_id}`, {
      site_id: Number(target.siteId),
    });
    const before = await dailyRows();
    await sync();
    const after = await dailyRows();
    const nights = on(after, 3).roomBreakdown.filter((r) => r.bookingId === String(added.booking_id));
    expect(nights).toEqual([expect.objectContaining({ siteId: target.siteId, room: target.siteName })]);
    expect(on(after, 3).roomsOccupied).toBe(on(before, 3).roomsOccupied);
    const [stored] = await testDb.handle.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.kitchenId, kitchenId), eq(bookings.newbookId, String(added.booking_id))));
    expect(stored?.siteId).toBe(target.siteId);
  });

  it("removes a cancelled booking, bringing the figures back to where they started", async () => {
    await control("POST", `/properties/${property().id}/bookings/${added.booking_id}/cancel`);
    await sync();
    const stored = await testDb.handle.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.kitchenId, kitchenId), eq(bookings.newbookId, String(added.booking_id))));
    expect(stored).toEqual([]);
    const strip = (r: Row) => ({
      ...r,
      previousFigures: null,
      changedAt: null,
      sourceRunId: null,
      fetchedAt: null,
    });
    const now = (await dailyRows()).filter((r) => r.date >= today);
    expect(now.map(strip)).toEqual(baseline.map(strip));
  });

  it("leaves every row as it was when paging fails part-way, and records the failure", async () => {
    await control("POST", `/properties/${property().id}/bookings`, {
      arrival: addDays(today, 1),
      departure: addDays(today, 3),
      adults: 1,
    });
    const bookingsBefore = await testDb.handle.db.select().from(bookings).orderBy(asc(bookings.id));
    const daysBefore = await dailyRows();
    await control("POST", `/properties/${property().id}/faults`, {
      type: "http500",
      actions: ["bookings_list"],
      after: 1,
    });
    const runId = randomUUID();
    const started = Date.now();
    // A whole read, which pages (the change feed since the last one would be a single page).
    const wholeRead: SyncContext = { ...ctx, config: { ...ctx.config, SYNC_FULL_READ_MINUTES: 0 } };
    const error = await runFrequentSync(wholeRead, { kitchenId, runId, trigger: "test" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(await testDb.handle.db.select().from(bookings).orderBy(asc(bookings.id))).toEqual(bookingsBefore);
    expect(await dailyRows()).toEqual(daysBefore);

    const { consecutiveFailures } = await recordRunFailure(testDb.handle.db, {
      runId,
      kitchenId,
      kind: "frequent",
      error,
      final: true,
      durationMs: Date.now() - started,
    });
    expect(consecutiveFailures).toBe(1);
    const [run] = await testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
    // sites_list is fresh, so: the first page, then the four pages read side by side (the client's default
    // pageConcurrency), each failing with its one retry; no further page is started.
    expect(run).toMatchObject({ status: "failed", errorCode: "newbook_server", newbookCalls: 9 });
    expect(run?.errorMessage).toMatch(/^Newbook had a server problem \(HTTP 500\)/);

    await control("DELETE", `/properties/${property().id}/faults`);
    const result = await sync();
    expect(result.rowsChanged).toBeGreaterThan(0);
    const settings = await settingsRow();
    expect(settings).toMatchObject({
      lastSyncStatus: "success",
      consecutiveFailures: 0,
      lastErrorMessage: null,
    });
  });

  it("leaves every row as it was when the fencing check before commit throws", async () => {
    await control("POST", `/properties/${property().id}/bookings`, {
      arrival: addDays(today, 2),
      departure: addDays(today, 5),
      adults: 3,
    });
    const bookingsBefore = await testDb.handle.db.select().from(bookings).orderBy(asc(bookings.id));
    const daysBefore = await dailyRows();
    const settingsBefore = await settingsRow();
    const lost = new Error("lock lost");
    let checks = 0;
    const runId = randomUUID();
    const fenced: SyncContext = {
      ...ctx,
      beforeCommit: async () => {
        checks++;
        throw lost;
      },
    };
    await expect(runFrequentSync(fenced, { kitchenId, runId, trigger: "test" })).rejects.toBe(lost);
    expect(checks).toBe(1);
    expect(await testDb.handle.db.select().from(bookings).orderBy(asc(bookings.id))).toEqual(bookingsBefore);
    expect(await dailyRows()).toEqual(daysBefore);
    const [run] = await testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
    expect(run?.status).toBe("running");
    const settings = await settingsRow();
    expect(settings?.lastSuccessAt).toEqual(settingsBefore?.lastSuccessAt);

    // The same sync with a passing check commits the new booking.
    const result = await runFrequentSync(
      { ...ctx, beforeCommit: async () => undefined },
      {
        kitchenId,
        runId: randomUUID(),
        trigger: "test",
      },
    );
    expect(result.rowsChanged).toBeGreaterThan(0);
    expect(on(await dailyRows(), 2).adults - on(daysBefore, 2).adults).toBe(3);
  });

  it("reports when its transaction had committed, not the finish time written inside it", async () => {
    // A changed window, so the run writes in a transaction (an unchanged one is a single statement).
    await control("POST", `/properties/${property().id}/bookings`, {
      arrival: addDays(today, 1),
      departure: addDays(today, 3),
      adults: 2,
    });
    const runId = randomUUID();
    let checkedAt = 0;
    const result = await runFrequentSync(
      {
        ...ctx,
        // A slow last step before COMMIT (the lock check): the commit ends after it, so does committedAt.
        beforeCommit: async () => {
          checkedAt = Date.now();
          await new Promise((resolve) => setTimeout(resolve, 50));
        },
      },
      { kitchenId, runId, trigger: "test" },
    );
    const [run] = await testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
    expect(result.rowsChanged).toBeGreaterThan(0);
    expect(result.committedAt.getTime()).toBeGreaterThanOrEqual(checkedAt + 50);
    expect(result.committedAt.getTime() - run!.finishedAt!.getTime()).toBeGreaterThanOrEqual(50);
  });

  it("never touches dates before the kitchen's today", async () => {
    const [yesterday] = (await dailyRows()).filter((r) => r.date < today);
    expect(yesterday).toMatchObject({ date: addDays(today, -1), adults: 99, sourceRunId: null });
  });

  it("uses the kitchen's own today: an Auckland kitchen starts at Auckland's date", async () => {
    const auckland = sim.properties[1]!;
    const seeded = await seedKitchenWithConnection(testDb.handle.db, {
      timezone: auckland.timezone,
      property: auckland,
      baseUrl: sim.baseUrl,
      encryptionKey: config.ENCRYPTION_KEY!,
      settings: { daysAhead: 3 },
    });
    const result = await runFrequentSync(ctx, {
      kitchenId: seeded.kitchenId,
      runId: randomUUID(),
      trigger: "test",
    });
    const aucklandToday = localDateIn("Pacific/Auckland");
    expect(result.window).toEqual({
      today: aucklandToday,
      from: aucklandToday,
      to: addDays(aucklandToday, 3),
      fetchFrom: addDays(aucklandToday, -1),
    });
    expect((await dailyRows(seeded.kitchenId)).map((r) => r.date)).toEqual(
      [0, 1, 2, 3].map((i) => addDays(aucklandToday, i)),
    );
  });
});
