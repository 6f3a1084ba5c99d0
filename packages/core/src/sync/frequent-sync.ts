import { type Db, syncRuns } from "@occ/db";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { LocalDate } from "../time";

import {
  loadKitchenSetup,
  mealMappingOf,
  openClient,
  requireConnection,
  roomInventory,
  type SyncContext,
  saveRoomInventory,
} from "./context";
import { prepareWindow, writeWindow } from "./persist";
import { recordRunCalls, recordRunSuccess, startRun } from "./status";
import { type DateSpan, frequentWindow, type SyncWindow } from "./window";

export interface FrequentSyncInput {
  kitchenId: number;
  runId: string;
  /** The run this one repeats (see claimRun). */
  retryOf?: string | null;
  trigger: string;
  jobId?: string;
  attempt?: number;
}

export interface SyncRunResult {
  runId: string;
  status: "success";
  window: SyncWindow;
  newbookCalls: number;
  bookingsFetched: number;
  rowsChanged: number;
  /** Bookings added, cancelled or changed for the kitchen (the run's change set). */
  bookingChanges: number;
  durationMs: number;
  dbMs: number;
}

/** The window the kitchen's last successful next-days sync covered; null before its first one. */
export async function coveredWindow(db: Db, kitchenId: number): Promise<DateSpan | null> {
  const [row] = await db
    .select({ from: syncRuns.windowFrom, to: syncRuns.windowTo })
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.kitchenId, kitchenId),
        eq(syncRuns.status, "success"),
        inArray(syncRuns.kind, ["frequent", "manual"]),
      ),
    )
    .orderBy(desc(syncRuns.queuedAt))
    .limit(1);
  return row ?? null;
}

/** `staying` for the nights fetchFrom .. to, both included, as property-local datetimes. */
export function stayingPeriod(fetchFrom: LocalDate, to: LocalDate): { periodFrom: string; periodTo: string } {
  return { periodFrom: `${fetchFrom} 00:00:00`, periodTo: `${to} 23:59:59` };
}

/**
 * The next-days sync of one kitchen: fetch everything first, then replace the window's data and record
 * the run in one transaction. Errors propagate unrecorded: the worker knows whether a retry follows and
 * records the failure with recordRunFailure.
 */
export async function runFrequentSync(ctx: SyncContext, input: FrequentSyncInput): Promise<SyncRunResult> {
  const now = ctx.now ?? (() => new Date());
  const startedAt = now();
  const setup = await loadKitchenSetup(ctx.db, input.kitchenId);
  const window = frequentWindow(setup.timezone, setup.daysAhead, startedAt);
  await startRun(ctx.db, {
    runId: input.runId,
    retryOf: input.retryOf,
    kitchenId: input.kitchenId,
    kind: "frequent",
    trigger: input.trigger,
    windowFrom: window.from,
    windowTo: window.to,
    jobId: input.jobId,
    attempt: input.attempt,
    now: startedAt,
  });
  const connection = requireConnection(setup);
  const client = openClient(ctx, connection);
  try {
    // Independent requests: the daily inventory refresh need not wait for the bookings.
    const [inventory, bookings] = await Promise.all([
      roomInventory(client, connection, startedAt),
      client.listBookings({ ...stayingPeriod(window.fetchFrom, window.to), listType: "staying" }),
    ]);
    const newbookCalls = client.stats.totalCalls;
    ctx.logger.debug("Frequent sync fetched", {
      kitchenId: input.kitchenId,
      runId: input.runId,
      bookings: bookings.length,
      newbookCalls,
    });

    const covered = await coveredWindow(ctx.db, input.kitchenId);
    const prepared = prepareWindow({
      kitchenId: input.kitchenId,
      runId: input.runId,
      from: window.from,
      to: window.to,
      bookings,
      roomsAvailable: inventory.roomsAvailable,
      mealMapping: mealMappingOf(connection),
      now: startedAt,
      changes: { covered },
    });
    const dbStarted = Date.now();
    const result = await ctx.db.transaction(async (tx) => {
      await saveRoomInventory(tx, input.kitchenId, inventory);
      const counts = await writeWindow(tx, prepared);
      const dbMs = Date.now() - dbStarted;
      const durationMs = await recordRunSuccess(tx, {
        runId: input.runId,
        kitchenId: input.kitchenId,
        kind: "frequent",
        startedAt,
        now: now(),
        newbookCalls,
        bookingsFetched: bookings.length,
        rowsChanged: counts.rowsChanged,
        dbMs,
      });
      await ctx.beforeCommit?.();
      return { counts, dbMs, durationMs };
    });
    ctx.logger.debug("Frequent sync written", {
      kitchenId: input.kitchenId,
      runId: input.runId,
      ...result.counts,
    });
    return {
      runId: input.runId,
      status: "success",
      window,
      newbookCalls,
      bookingsFetched: bookings.length,
      rowsChanged: result.counts.rowsChanged,
      bookingChanges: result.counts.bookingChanges,
      durationMs: result.durationMs,
      dbMs: result.dbMs,
    };
  } catch (error) {
    await recordRunCalls(ctx.db, input.runId, client.stats.totalCalls);
    throw error;
  } finally {
    client.close();
  }
}
