import { randomUUID } from "node:crypto";
import { dailyOccupancy, revenueDaily, syncRuns } from "@occ/db";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import { createTestDatabase, SimControl, seedKitchenWithConnection, type TestDatabase } from "@occ/testkit";
import { asc, eq } from "drizzle-orm";
import { type Config, loadConfig } from "../config";
import { generateEncryptionKey } from "../crypto";
import { createLogger } from "../logger";
import { NewbookClient, newbookClientOptionsFromConfig } from "../newbook/client";
import { addDays, dateRange, daysBetween, localDateIn } from "../time";
import type { SyncContext } from "./context";
import { historicalChunks, runHistoricalSync } from "./historical-sync";

let sim: RunningSimulator;
let testDb: TestDatabase;
let config: Config;
let ctx: SyncContext;
let kitchenId: number;
let dateFrom: string;
let dateTo: string;

const property = () => sim.properties[0]!;

const control = (method: string, path: string, body?: unknown) =>
  new SimControl(sim.controlUrl).request<unknown>(method, path, body);

async function runRow(runId: string) {
  const [row] = await testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return row;
}

/**
 * Makes the revenue report fail (HTTP 500) from its second call on, i.e. from the window's second month,
 * and says how the window splits: its months, its days, and the first month's days.
 */
async function failSecondMonth() {
  const chunks = historicalChunks(dateFrom, dateTo);
  await control("POST", `/properties/${property().id}/faults`, {
    type: "http500",
    actions: ["reports_earned_revenue"],
    after: 1,
  });
  return {
    chunks,
    total: daysBetween(dateFrom, dateTo) + 1,
    firstChunkDays: daysBetween(chunks[0]!.from, chunks[0]!.to) + 1,
  };
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, properties: 1, rooms: 20, timezones: ["Europe/London"] });
  testDb = await createTestDatabase();
  const encryptionKey = generateEncryptionKey();
  config = loadConfig({ ENCRYPTION_KEY: encryptionKey, NEWBOOK_MAX_RETRIES: "0" });
  ctx = {
    db: testDb.handle.db,
    config,
    logger: createLogger({ service: "historical-test", level: "error" }),
    clientFor: (connection) =>
      new NewbookClient({ ...newbookClientOptionsFromConfig(config, connection), pageSize: 25 }),
  };
  ({ kitchenId } = await seedKitchenWithConnection(testDb.handle.db, {
    timezone: property().timezone,
    property: property(),
    baseUrl: sim.baseUrl,
    encryptionKey,
  }));
  const today = localDateIn(property().timezone);
  // Past and future, across three or four calendar months.
  dateFrom = addDays(today, -45);
  dateTo = addDays(today, 20);
}, 30_000);

afterAll(async () => {
  await sim?.close();
  await testDb?.drop();
});

describe("runHistoricalSync against the simulator and PostgreSQL", () => {
  const runId = randomUUID();

  it("commits chunk by chunk; a failure keeps the finished months and a resume finishes the rest", async () => {
    // The second month's revenue report fails: the first month is committed, nothing of the second.
    const { chunks, total, firstChunkDays } = await failSecondMonth();
    const progress: [number, number][] = [];
    // The same run each time: the second call resumes it.
    const run = () =>
      runHistoricalSync(ctx, {
        kitchenId,
        runId,
        dateFrom,
        dateTo,
        trigger: "test",
        onProgress: (done, all) => {
          progress.push([done, all]);
        },
      });
    const failed = run();
    await expect(failed).rejects.toThrow(/server problem/);
    expect(progress).toEqual([[firstChunkDays, total]]);
    expect(await runRow(runId)).toMatchObject({ progressDone: firstChunkDays, progressTotal: total });
    const daysAfterFailure = await testDb.handle.db
      .select({ date: dailyOccupancy.date })
      .from(dailyOccupancy)
      .orderBy(asc(dailyOccupancy.date));
    expect(daysAfterFailure.map((r) => r.date)).toEqual(dateRange(chunks[0]!.from, chunks[0]!.to));

    await control("DELETE", `/properties/${property().id}/faults`);
    progress.length = 0;
    const result = await run();
    // Resumed at the second month: one progress report per remaining chunk, the last one complete.
    expect(progress).toHaveLength(chunks.length - 1);
    expect(progress.at(-1)).toEqual([total, total]);
    expect(result).toMatchObject({ status: "success", progressDone: total, progressTotal: total });
    expect(await runRow(runId)).toMatchObject({ status: "success", progressDone: total, kind: "historical" });

    const days = await testDb.handle.db.select().from(dailyOccupancy).orderBy(asc(dailyOccupancy.date));
    expect(days.map((r) => r.date)).toEqual(dateRange(dateFrom, dateTo));
  });

  it("stores revenue by GL account and date that adds up to Newbook's own total", async () => {
    const stored = await testDb.handle.db
      .select()
      .from(revenueDaily)
      .where(eq(revenueDaily.kitchenId, kitchenId));
    expect(new Set(stored.map((r) => r.date)).size).toBe(daysBetween(dateFrom, dateTo) + 1);
    const client = new NewbookClient(
      newbookClientOptionsFromConfig(config, { baseUrl: sim.baseUrl, ...property() }),
    );
    const whole = await client.earnedRevenue(dateFrom, dateTo);
    client.close();
    const cents = (v: string) => Math.round(Number(v) * 100);
    for (const account of whole) {
      const sum = stored
        .filter((r) => r.glAccountId === account.glAccountId)
        .reduce((n, r) => n + cents(r.gross), 0);
      // Per-day rounding may differ from the whole-period figure by a cent a day at most.
      expect(Math.abs(sum - cents(account.gross))).toBeLessThanOrEqual(daysBetween(dateFrom, dateTo) + 1);
    }
    expect(stored.some((r) => Number(r.gross) > 0)).toBe(true);
  });

  it("changes nothing when run again over the same range", async () => {
    const result = await runHistoricalSync(ctx, {
      kitchenId,
      runId: randomUUID(),
      dateFrom,
      dateTo,
      trigger: "test",
    });
    expect(result.rowsChanged).toBe(0);
  });

  it("a run repeating a failed one (retry_of) skips its committed days and counts only its own work", async () => {
    const { chunks, total, firstChunkDays } = await failSecondMonth();
    const original = randomUUID();
    const input = { kitchenId, dateFrom, dateTo, trigger: "test" };
    await expect(runHistoricalSync(ctx, { ...input, runId: original })).rejects.toThrow(/server problem/);
    await control("DELETE", `/properties/${property().id}/faults`);
    const before = await runRow(original);

    const progress: number[] = [];
    const repeat = randomUUID();
    await runHistoricalSync(ctx, {
      ...input,
      runId: repeat,
      retryOf: original,
      onProgress: (done) => {
        progress.push(done);
      },
    });
    expect(progress).toHaveLength(chunks.length - 1);
    expect(await runRow(repeat)).toMatchObject({ status: "success", progressDone: total, retryOf: original });
    // The original keeps what it did; the repeat's counts are its own (no carried-over calls).
    expect(await runRow(original)).toEqual(before);
    expect(before?.progressDone).toBe(firstChunkDays);
    expect((await runRow(repeat))!.newbookCalls).toBeGreaterThan(0);
  });
});
