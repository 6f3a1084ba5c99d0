import { randomUUID } from "node:crypto";
import { dailyOccupancy, revenueDaily, syncRuns } from "@occ/db";
import { asc, eq } from "drizzle-orm";
import { NewbookClient, newbookClientOptionsFromConfig } from "../newbook/client";
import { addDays, dateRange, daysBetween, localDateIn } from "../time";
import { historicalChunks, runHistoricalSync } from "./historical-sync";
import { type SyncWorld, startSyncWorld } from "./testing/sync-world";

let w: SyncWorld;
let dateFrom: string;
let dateTo: string;

async function runRow(runId: string) {
  const [row] = await w.db.handle.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return row;
}

/**
 * Makes the revenue report fail (HTTP 500) from its second call on, i.e. from the window's second month,
 * and says how the window splits: its months, its days, and the first month's days.
 */
async function failSecondMonth() {
  const chunks = historicalChunks(dateFrom, dateTo);
  await w.control.request("POST", `/properties/${w.property.id}/faults`, {
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
  w = await startSyncWorld({
    simulator: { seed: 5, rooms: 20, timezones: ["Europe/London"] },
    client: { pageSize: 25 },
  });
  const today = localDateIn(w.property.timezone);
  // Past and future, across three or four calendar months.
  dateFrom = addDays(today, -45);
  dateTo = addDays(today, 20);
}, 30_000);

afterAll(async () => {
  await w?.close();
});

describe("runHistoricalSync against the simulator and PostgreSQL", () => {
  const runId = randomUUID();

  it("commits chunk by chunk; a failure keeps the finished months and a resume finishes the rest", async () => {
    // The second month's revenue report fails: the first month is committed, nothing of the second.
    const { chunks, total, firstChunkDays } = await failSecondMonth();
    const progress: [number, number][] = [];
    // The same run each time: the second call resumes it.
    const run = () =>
      runHistoricalSync(w.ctx, {
        kitchenId: w.kitchenId,
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
    const daysAfterFailure = await w.db.handle.db
      .select({ date: dailyOccupancy.date })
      .from(dailyOccupancy)
      .orderBy(asc(dailyOccupancy.date));
    expect(daysAfterFailure.map((r) => r.date)).toEqual(dateRange(chunks[0]!.from, chunks[0]!.to));

    await w.control.request("DELETE", `/properties/${w.property.id}/faults`);
    progress.length = 0;
    const result = await run();
    // Resumed at the second month: one progress report per remaining chunk, the last one complete.
    expect(progress).toHaveLength(chunks.length - 1);
    expect(progress.at(-1)).toEqual([total, total]);
    expect(result).toMatchObject({ status: "success", progressDone: total, progressTotal: total });
    expect(await runRow(runId)).toMatchObject({ status: "success", progressDone: total, kind: "historical" });

    const days = await w.db.handle.db.select().from(dailyOccupancy).orderBy(asc(dailyOccupancy.date));
    expect(days.map((r) => r.date)).toEqual(dateRange(dateFrom, dateTo));
  });

  it("stores revenue by GL account and date that adds up to Newbook's own total", async () => {
    const stored = await w.db.handle.db
      .select()
      .from(revenueDaily)
      .where(eq(revenueDaily.kitchenId, w.kitchenId));
    expect(new Set(stored.map((r) => r.date)).size).toBe(daysBetween(dateFrom, dateTo) + 1);
    const client = new NewbookClient(
      newbookClientOptionsFromConfig(w.config, { baseUrl: w.sim.baseUrl, ...w.property }),
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
    const result = await runHistoricalSync(w.ctx, {
      kitchenId: w.kitchenId,
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
    const input = { kitchenId: w.kitchenId, dateFrom, dateTo, trigger: "test" };
    await expect(runHistoricalSync(w.ctx, { ...input, runId: original })).rejects.toThrow(/server problem/);
    await w.control.request("DELETE", `/properties/${w.property.id}/faults`);
    const before = await runRow(original);

    const progress: number[] = [];
    const repeat = randomUUID();
    await runHistoricalSync(w.ctx, {
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
