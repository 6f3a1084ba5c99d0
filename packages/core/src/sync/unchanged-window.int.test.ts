import { randomUUID } from "node:crypto";
import { type Db, dailyOccupancy, newbookConnections, schema } from "@occ/db";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import { createTestDatabase, seedKitchenWithConnection, type TestDatabase } from "@occ/testkit";
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { type Config, loadConfig } from "../config";
import { generateEncryptionKey } from "../crypto";
import { createLogger } from "../logger";
import { NewbookClient, newbookClientOptionsFromConfig } from "../newbook/client";
import { localDateIn } from "../time";
import type { SyncContext } from "./context";
import { runFrequentSync } from "./frequent-sync";

let sim: RunningSimulator;
let testDb: TestDatabase;
let config: Config;
let ctx: SyncContext;
let kitchenId: number;
/** Every client the engine opened, to look at what each one read. */
let listings: Array<Awaited<ReturnType<NewbookClient["listBookingsUnlessUnchanged"]>>>;

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sim.controlUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const sync = () => runFrequentSync(ctx, { kitchenId, runId: randomUUID(), trigger: "test" });
const today = () => localDateIn(sim.properties[0]!.timezone);

async function todaysAdults(): Promise<number> {
  const [row] = await testDb.handle.db
    .select({ adults: dailyOccupancy.adults })
    .from(dailyOccupancy)
    .where(and(eq(dailyOccupancy.kitchenId, kitchenId), eq(dailyOccupancy.date, today())));
  return row!.adults;
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, properties: 1, rooms: 20, throttlePerMinute: 1_000_000 });
  testDb = await createTestDatabase();
  const encryptionKey = generateEncryptionKey();
  config = loadConfig({ ENCRYPTION_KEY: encryptionKey, NEWBOOK_MAX_RETRIES: "0" });
  ctx = {
    db: testDb.handle.db,
    config,
    logger: createLogger({ service: "sync-test", level: "error" }),
    clientFor: (connection) => {
      const client = new NewbookClient(newbookClientOptionsFromConfig(config, connection));
      const read = client.listBookingsUnlessUnchanged.bind(client);
      client.listBookingsUnlessUnchanged = async (query, previous) => {
        const listing = await read(query, previous);
        listings.push(listing);
        return listing;
      };
      return client;
    },
  };
  ({ kitchenId } = await seedKitchenWithConnection(testDb.handle.db, {
    timezone: sim.properties[0]!.timezone,
    property: sim.properties[0]!,
    baseUrl: sim.baseUrl,
    encryptionKey,
    settings: { daysAhead: 3 },
  }));
});

afterAll(async () => {
  await sim?.close();
  await testDb?.drop();
});

beforeEach(() => {
  listings = [];
});

test("a window whose Newbook answer is byte-identical is neither parsed nor written", async () => {
  const first = await sync();
  expect(first.rowsChanged).toBeGreaterThan(0);
  expect(listings.at(-1)!.bookings).not.toBeNull();

  // A hand-edited figure shows whether the next run wrote anything.
  const adults = await todaysAdults();
  await testDb.handle.db
    .update(dailyOccupancy)
    .set({ adults: adults + 1000 })
    .where(and(eq(dailyOccupancy.kitchenId, kitchenId), eq(dailyOccupancy.date, today())));

  const unchanged = await sync();
  expect(listings.at(-1)!.bookings).toBeNull();
  expect(unchanged).toMatchObject({
    status: "success",
    rowsChanged: 0,
    bookingsFetched: first.bookingsFetched,
  });
  expect(await todaysAdults()).toBe(adults + 1000);
});

test("one booking changed in Newbook makes the next run read and write the window again", async () => {
  const property = sim.properties[0]!;
  const booking = await control<{ booking_id: string }>("POST", `/properties/${property.id}/bookings`, {
    arrival: today(),
    departure: localDateIn(property.timezone, new Date(Date.now() + 2 * 86_400_000)),
    adults: 2,
    site_id: null,
  });
  const changed = await sync();
  expect(listings.at(-1)!.bookings?.some((b) => b.bookingId === String(booking.booking_id))).toBe(true);
  expect(changed.rowsChanged).toBeGreaterThan(0);
  expect(changed.bookingsFetched).toBeGreaterThan(0);
  // Written from Newbook again: the hand edit is gone.
  expect(await todaysAdults()).toBeLessThan(1000);

  const again = await sync();
  expect(listings.at(-1)!.bookings).toBeNull();
  expect(again.rowsChanged).toBe(0);
});

test("an unchanged window costs the run's own bookkeeping only: no transaction, no data, no fingerprint", async () => {
  await sync();
  // The same database through a logger: every statement the next run sends.
  const statements: string[] = [];
  const logged = drizzle(testDb.handle.pool!, {
    schema,
    logger: { logQuery: (query) => statements.push(query.toLowerCase()) },
  }) as unknown as Db;
  const unchanged = await runFrequentSync(
    { ...ctx, db: logged },
    { kitchenId, runId: randomUUID(), trigger: "test" },
  );
  expect(listings.at(-1)!.bookings).toBeNull();
  expect(unchanged.rowsChanged).toBe(0);
  // Read the setup, start the run, record its success: each one statement.
  expect(statements).toHaveLength(3);
  expect(statements.some((sql) => /\b(begin|commit)\b/.test(sql))).toBe(false);
  for (const table of ["bookings", "daily_occupancy", "booking_changes"]) {
    expect(statements.some((sql) => sql.includes(`"${table}"`))).toBe(false);
  }
  expect(statements.some((sql) => sql.includes('listing_fingerprint" ='))).toBe(false);
});

test("a changed meal mapping re-derives the window even when Newbook's answer is the same", async () => {
  await sync();
  await testDb.handle.db
    .update(newbookConnections)
    .set({ breakfastGlAccountIds: ["gl-breakfast"] })
    .where(eq(newbookConnections.kitchenId, kitchenId));
  await sync();
  expect(listings.at(-1)!.bookings).not.toBeNull();
});

test("a new day re-reads and re-derives the window even with the room count fresh", async () => {
  await sync();
  await sync();
  expect(listings.at(-1)!.bookings).toBeNull();
  // Tomorrow, with the room count refreshed an hour before: only the day differs from the last run.
  const tomorrow = new Date(Date.now() + 86_400_000);
  await testDb.handle.db
    .update(newbookConnections)
    .set({ roomsRefreshedAt: new Date(tomorrow.getTime() - 3_600_000) })
    .where(eq(newbookConnections.kitchenId, kitchenId));
  const rolled = await runFrequentSync(
    { ...ctx, now: () => tomorrow },
    { kitchenId, runId: randomUUID(), trigger: "test" },
  );
  expect(listings.at(-1)!.bookings).not.toBeNull();
  expect(rolled.window.from).toBe(localDateIn(sim.properties[0]!.timezone, tomorrow));
  expect(rolled.rowsChanged).toBeGreaterThan(0);
});
