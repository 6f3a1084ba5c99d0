import { syncRuns } from "@occ/db";
import { eq } from "drizzle-orm";
import { addDays, daysBetween, isLocalDate, type LocalDate } from "../time";
import {
  forgetListingFingerprint,
  loadKitchenSetup,
  mealMappingOf,
  openClient,
  requireConnection,
  roomInventory,
  type SyncContext,
  saveRoomInventory,
} from "./context";
import { SyncValidationError } from "./errors";
import { stayingPeriod } from "./frequent-run";
import { prepareWindow, writeWindow } from "./persist";
import { writeRevenue } from "./revenue";
import { recordRunCalls, recordRunSuccess, startRun } from "./status";
import type { DateSpan } from "./window";

/** Two years, a leap day included. */
export const HISTORICAL_MAX_DAYS = 731;

export interface HistoricalSyncInput {
  kitchenId: number;
  runId: string;
  /** The run this one repeats: its committed days are skipped (see claimRun). */
  retryOf?: string | null;
  dateFrom: LocalDate;
  dateTo: LocalDate;
  trigger: string;
  jobId?: string;
  attempt?: number;
  /** Days done and total after each committed chunk (BullMQ job progress). */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

export interface HistoricalSyncResult {
  runId: string;
  status: "success";
  dateFrom: LocalDate;
  dateTo: LocalDate;
  /** Days; a resumed run starts with the days an earlier attempt committed. */
  progressDone: number;
  progressTotal: number;
  newbookCalls: number;
  bookingsFetched: number;
  rowsChanged: number;
  durationMs: number;
  dbMs: number;
}

export function validateHistoricalRange(from: LocalDate, to: LocalDate): void {
  if (!isLocalDate(from) || !isLocalDate(to)) {
    throw new SyncValidationError("Dates must be real calendar dates written YYYY-MM-DD");
  }
  if (from > to) throw new SyncValidationError("The start date must not be after the end date");
  const days = daysBetween(from, to) + 1;
  if (days > HISTORICAL_MAX_DAYS) {
    throw new SyncValidationError(
      `A historical sync covers at most ${HISTORICAL_MAX_DAYS} days (two years); this range has ${days}`,
    );
  }
}

/** Calendar-month pieces of the range: each is one bookings_list listing and one revenue report. */
export function historicalChunks(from: LocalDate, to: LocalDate): DateSpan[] {
  const chunks: DateSpan[] = [];
  for (let start = from; start <= to; ) {
    const nextMonth = addDays(`${start.slice(0, 7)}-01`, 32).slice(0, 7);
    const monthEnd = addDays(`${nextMonth}-01`, -1);
    const end = monthEnd < to ? monthEnd : to;
    chunks.push({ from: start, to: end });
    start = addDays(end, 1);
  }
  return chunks;
}

const spanDays = (span: DateSpan) => daysBetween(span.from, span.to) + 1;

/**
 * Where this run starts: an earlier attempt of the same run continues with its own totals; a run that
 * repeats another (retry_of, e.g. a resumed sync) skips the days that one committed but counts only
 * its own calls, bookings and rows.
 */
async function committedSoFar(ctx: SyncContext, input: HistoricalSyncInput) {
  const sameRange = (row: { windowFrom: string; windowTo: string } | undefined) =>
    row !== undefined && row.windowFrom === input.dateFrom && row.windowTo === input.dateTo;
  const [own] = await ctx.db.select().from(syncRuns).where(eq(syncRuns.id, input.runId));
  if (own && sameRange(own) && (own.progressDone > 0 || !input.retryOf))
    return {
      days: own.progressDone,
      calls: own.newbookCalls,
      bookings: own.bookingsFetched,
      rows: own.rowsChanged,
    };
  if (input.retryOf) {
    const [original] = await ctx.db.select().from(syncRuns).where(eq(syncRuns.id, input.retryOf));
    if (original && sameRange(original))
      return { days: original.progressDone, calls: 0, bookings: 0, rows: 0 };
  }
  return { days: 0, calls: 0, bookings: 0, rows: 0 };
}

/**
 * Backfills daily rows and revenue for any range (past and future) month by month. Each month commits
 * on its own and advances progress_done, so a failed run called again with the same runId resumes at
 * the first month it did not finish. Never call it from an HTTP request: it is a worker job.
 */
export async function runHistoricalSync(
  ctx: SyncContext,
  input: HistoricalSyncInput,
): Promise<HistoricalSyncResult> {
  validateHistoricalRange(input.dateFrom, input.dateTo);
  const now = ctx.now ?? (() => new Date());
  const startedAt = now();
  const setup = await loadKitchenSetup(ctx.db, input.kitchenId);
  const before = await committedSoFar(ctx, input);
  const total = daysBetween(input.dateFrom, input.dateTo) + 1;
  await startRun(ctx.db, {
    runId: input.runId,
    retryOf: input.retryOf,
    kitchenId: input.kitchenId,
    kind: "historical",
    trigger: input.trigger,
    windowFrom: input.dateFrom,
    windowTo: input.dateTo,
    jobId: input.jobId,
    attempt: input.attempt,
    now: startedAt,
  });
  await ctx.db.update(syncRuns).set({ progressTotal: total }).where(eq(syncRuns.id, input.runId));
  const connection = requireConnection(setup);
  const client = openClient(ctx, connection);

  let done = before.days;
  let bookingsFetched = before.bookings;
  let rowsChanged = before.rows;
  let dbMs = 0;
  let durationMs = 0;
  try {
    const inventory = await roomInventory(client, connection, startedAt);
    let inventorySaved = false;
    let offset = 0;
    const chunks = historicalChunks(input.dateFrom, input.dateTo);
    const remaining = chunks.filter((chunk) => {
      offset += spanDays(chunk);
      return offset > before.days;
    });
    if (remaining.length === 0) remaining.push(...chunks.slice(-1));

    for (const [index, chunk] of remaining.entries()) {
      // The chunk's two requests, or none: a deferral never strands a chunk half-read.
      await client.reserveRequests(2);
      const fetched = await client.listBookings({
        ...stayingPeriod(addDays(chunk.from, -1), chunk.to),
        listType: "staying",
      });
      const revenue = await client.earnedRevenue(chunk.from, chunk.to, { increment: "day" });
      const isLast = index === remaining.length - 1;
      const prepared = prepareWindow({
        kitchenId: input.kitchenId,
        runId: input.runId,
        from: chunk.from,
        to: chunk.to,
        bookings: fetched,
        roomsAvailable: inventory.roomsAvailable,
        mealMapping: mealMappingOf(connection),
        now: startedAt,
      });
      const dbStarted = Date.now();
      await ctx.db.transaction(async (tx) => {
        if (!inventorySaved) await saveRoomInventory(tx, input.kitchenId, inventory);
        const counts = await writeWindow(tx, prepared);
        await forgetListingFingerprint(tx, input.kitchenId);
        const revenueChanged = await writeRevenue(tx, {
          kitchenId: input.kitchenId,
          runId: input.runId,
          from: chunk.from,
          to: chunk.to,
          rows: revenue,
          now: startedAt,
        });
        const progressDone = daysBetween(input.dateFrom, chunk.to) + 1;
        const totals = {
          newbookCalls: before.calls + client.stats.totalCalls,
          bookingsFetched: bookingsFetched + fetched.length,
          rowsChanged: rowsChanged + counts.rowsChanged + revenueChanged,
        };
        const chunkDbMs = dbMs + Date.now() - dbStarted;
        if (isLast) {
          durationMs = await recordRunSuccess(tx, {
            runId: input.runId,
            kitchenId: input.kitchenId,
            kind: "historical",
            startedAt,
            now: now(),
            ...totals,
            dbMs: chunkDbMs,
            progress: { done: progressDone, total },
          });
        } else {
          await tx
            .update(syncRuns)
            .set({ ...totals, dbMs: chunkDbMs, progressDone, progressTotal: total })
            .where(eq(syncRuns.id, input.runId));
        }
        await ctx.beforeCommit?.();
        done = progressDone;
        bookingsFetched = totals.bookingsFetched;
        rowsChanged = totals.rowsChanged;
      });
      inventorySaved = true;
      dbMs += Date.now() - dbStarted;
      ctx.logger.debug("Historical sync chunk committed", {
        kitchenId: input.kitchenId,
        runId: input.runId,
        from: chunk.from,
        to: chunk.to,
        done,
        total,
      });
      await input.onProgress?.(done, total);
    }
    return {
      runId: input.runId,
      status: "success",
      dateFrom: input.dateFrom,
      dateTo: input.dateTo,
      progressDone: done,
      progressTotal: total,
      newbookCalls: before.calls + client.stats.totalCalls,
      bookingsFetched,
      rowsChanged,
      durationMs,
      dbMs,
    };
  } catch (error) {
    await recordRunCalls(ctx.db, input.runId, before.calls + client.stats.totalCalls);
    throw error;
  } finally {
    client.close();
  }
}
