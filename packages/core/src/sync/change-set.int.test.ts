import { randomUUID } from "node:crypto";
import { bookingChanges, bookings, createTestDatabase, type TestDatabase } from "@occ/db";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import { and, asc, eq, gt } from "drizzle-orm";
import { loadConfig } from "../config";
import { generateEncryptionKey } from "../crypto";
import { createLogger } from "../logger";
import { addDays, localDateIn } from "../time";
import type { SyncContext } from "./context";
import { isCounted } from "./derive";
import { runFrequentSync } from "./frequent-sync";
import { seedKitchenWithConnection } from "./testing";

let sim: RunningSimulator;
let testDb: TestDatabase;
let ctx: SyncContext;
let kitchenId: number;
let today: string;

const property = () => sim.properties[0]!;
const sync = () => runFrequentSync(ctx, { kitchenId, runId: randomUUID(), trigger: "test" });

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sim.controlUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const changesOf = (runId: string) =>
  testDb.handle.db
    .select()
    .from(bookingChanges)
    .where(eq(bookingChanges.runId, runId))
    .orderBy(asc(bookingChanges.id));

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, properties: 1, rooms: 20, throttlePerMinute: 1_000_000 });
  testDb = await createTestDatabase();
  const encryptionKey = generateEncryptionKey();
  ctx = {
    db: testDb.handle.db,
    config: loadConfig({ ENCRYPTION_KEY: encryptionKey }),
    logger: createLogger({ service: "change-set-test", level: "error" }),
  };
  ({ kitchenId } = await seedKitchenWithConnection(testDb.handle.db, {
    timezone: property().timezone,
    property: property(),
    baseUrl: sim.baseUrl,
    encryptionKey,
    settings: { daysAhead: 7 },
  }));
  today = localDateIn(property().timezone);
}, 30_000);

afterAll(async () => {
  await sim?.close();
  await testDb?.drop();
});

describe("the change set of a frequent sync", () => {
  it("records nothing for the first sync (the baseline) nor for an unchanged window", async () => {
    const first = await sync();
    expect(first.bookingChanges).toBe(0);
    expect(await changesOf(first.runId)).toEqual([]);
    const again = await sync();
    expect(again.bookingChanges).toBe(0);
    expect(await changesOf(again.runId)).toEqual([]);
  });

  it("records added, cancelled and changed bookings with room and guest, in the run's transaction", async () => {
    const stored = await testDb.handle.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.kitchenId, kitchenId), gt(bookings.arrivalDate, today)))
      .orderBy(asc(bookings.newbookId));
    const roomed = stored.filter((b) => isCounted(b.status) && b.siteName !== null);
    expect(roomed.length).toBeGreaterThanOrEqual(2);
    const [toCancel, toChange] = roomed as [(typeof roomed)[0], (typeof roomed)[0]];
    const pid = property().id;
    await control("POST", `/properties/${pid}/bookings/${toCancel.newbookId}/cancel`);
    await control("PATCH", `/properties/${pid}/bookings/${toChange.newbookId}`, {
      adults: toChange.adults + 1,
      meals: "dbb",
    });
    const added = (await control("POST", `/properties/${pid}/bookings`, {
      arrival: today,
      departure: addDays(today, 2),
      adults: 2,
      site_id: null,
      meals: "bb",
    })) as { booking_id: string | number };

    const result = await sync();
    const rows = await changesOf(result.runId);
    expect(result.bookingChanges).toBe(rows.length);
    const byBooking = new Map(rows.map((row) => [row.bookingId, row]));

    const cancelled = byBooking.get(toCancel.newbookId);
    expect(cancelled).toMatchObject({ kind: "cancelled", room: toCancel.siteName, after: null });
    expect(cancelled?.guestName).toBe(toCancel.guestName);
    expect(cancelled?.before).toMatchObject({ arrival: toCancel.arrivalDate, adults: toCancel.adults });

    const changed = byBooking.get(toChange.newbookId);
    expect(changed?.kind).toBe("changed");
    expect(changed?.fields).toEqual(expect.arrayContaining(["guests", "meal_plan"]));
    expect(changed?.after).toMatchObject({ adults: toChange.adults + 1, mealPlan: "dbb" });

    const newOne = byBooking.get(String(added.booking_id));
    expect(newOne).toMatchObject({ kind: "added", before: null });
    // Arrives today: +1 arrival today, and breakfast tomorrow for 2.
    expect(newOne?.deltas).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ date: today, arrivals: 1, guests: 2 }),
        expect.objectContaining({ date: addDays(today, 1), breakfastCovers: 2 }),
      ]),
    );
    expect(rows.every((row) => row.syncedAt.getTime() > 0 && row.kitchenId === kitchenId)).toBe(true);

    // Nothing new: the next sync's change set is empty.
    const quiet = await sync();
    expect(quiet.bookingChanges).toBe(0);
  });

  it("leaves no change set behind when the run's transaction rolls back", async () => {
    await control("POST", `/properties/${property().id}/bookings`, {
      arrival: addDays(today, 1),
      departure: addDays(today, 2),
      adults: 1,
      site_id: null,
    });
    const runId = randomUUID();
    const failing: SyncContext = {
      ...ctx,
      beforeCommit: async () => {
        throw new Error("lock lost");
      },
    };
    await expect(runFrequentSync(failing, { kitchenId, runId, trigger: "test" })).rejects.toThrow(
      "lock lost",
    );
    expect(await changesOf(runId)).toEqual([]);
    const next = await sync();
    expect(next.bookingChanges).toBe(1);
  });
});
