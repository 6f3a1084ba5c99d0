import { createHash } from "node:crypto";
import type { Db, Tx } from "@occ/db";
import type { LocalDate } from "../time";
import { affectedSpan } from "./affected-dates";
import { DERIVATION_VERSION } from "./booking-rows";

import {
  freshRoomsTotal,
  type ListingFingerprint,
  loadKitchenSetup,
  mealMappingOf,
  openClient,
  requireConnection,
  roomInventory,
  type SyncContext,
  saveRoomInventory,
} from "./context";
import type { StayBooking } from "./derive";
import type { MealMapping } from "./meals";
import { knownBookings, prepareWindow, type StoredSpan, type WriteCounts, writeWindow } from "./persist";
import { recordRunCalls, recordRunSuccess, startRun } from "./status";
import { frequentWindow, type SyncWindow } from "./window";

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
  /** When the run's transaction had committed (its end, not the finish time written inside it). */
  committedAt: Date;
}

/** `staying` for the nights fetchFrom .. to, both included, as property-local datetimes. */
export function stayingPeriod(fetchFrom: LocalDate, to: LocalDate): { periodFrom: string; periodTo: string } {
  return { periodFrom: `${fetchFrom} 00:00:00`, periodTo: `${to} 23:59:59` };
}

const NOTHING_WRITTEN: WriteCounts = {
  bookingChanges: 0,
  bookingsWritten: 0,
  bookingsRemoved: 0,
  dailyRowsWritten: 0,
  rowsChanged: 0,
};

/** Digest of what, besides the bookings, the window's stored rows are derived from. */
function derivationInputs(
  window: SyncWindow,
  roomsAvailable: number | null,
  mealMapping: MealMapping,
): string {
  const { from, to, fetchFrom } = window;
  return createHash("sha256")
    .update(JSON.stringify([DERIVATION_VERSION, from, to, fetchFrom, roomsAvailable, mealMapping]))
    .digest("base64url");
}

/** The span's stored bookings the listing did not return unchanged: changed since, or gone. */
function unseenStays(known: readonly StayBooking[], stored: StoredSpan): StayBooking[] {
  const seen = new Set(known);
  return [...stored.byDigest.values()].filter((stay) => !seen.has(stay));
}

const sameDigests = (a: readonly string[], b: readonly string[]) =>
  a.length > 0 && a.length === b.length && a.every((digest, i) => digest === b[i]);

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
    const mealMapping = mealMappingOf(connection);
    // Most runs find what the last one found. When Newbook's answer is byte-identical and so is
    // everything else the stored rows came from, there is nothing to parse, validate, build or write.
    // While a sites_list refresh is due the room count is unknown, so the answer is read in full.
    const previous = setup.listingFingerprint;
    const knownRooms = freshRoomsTotal(connection, startedAt);
    const recognisable =
      previous !== null &&
      knownRooms !== null &&
      previous.inputs === derivationInputs(window, knownRooms, mealMapping);
    // The span's stored bookings, once a page is read in parts.
    let stored: StoredSpan | undefined;
    // The bookings' first page and a due inventory refresh: slots for both, or the job waits in the queue.
    await client.reserveRequests(knownRooms === null ? 2 : 1);
    // Independent requests: the daily inventory refresh need not wait for the bookings.
    const [inventory, listing] = await Promise.all([
      roomInventory(client, connection, startedAt),
      client.listBookingsUnlessUnchanged(
        { ...stayingPeriod(window.fetchFrom, window.to), listType: "staying" },
        recognisable ? previous.pages : [],
        // Asked only when a page is read: the bookings sent exactly as before need no reading.
        // The listing's own span: bookings departing on fetchFrom are listed too.
        async () => {
          stored = await knownBookings(ctx.db, input.kitchenId, { from: window.fetchFrom, to: window.to });
          return stored.byDigest;
        },
      ),
    ]);
    const newbookCalls = client.stats.totalCalls;
    const fingerprint: ListingFingerprint = {
      inputs: derivationInputs(window, inventory.roomsAvailable, mealMapping),
      pages: listing.pageDigests,
      bookings: listing.bookings ? listing.bookings.length + listing.known.length : (previous?.bookings ?? 0),
    };
    const unchanged =
      previous !== null &&
      previous.inputs === fingerprint.inputs &&
      sameDigests(previous.pages, fingerprint.pages);
    ctx.logger.debug("Frequent sync fetched", {
      kitchenId: input.kitchenId,
      runId: input.runId,
      bookings: fingerprint.bookings,
      unchanged,
      newbookCalls,
    });

    // The run's outcome, the last statement of either path below.
    const recordSuccess = (
      db: Db | Tx,
      rowsChanged: number,
      dbMs: number,
      listingFingerprint?: ListingFingerprint | null,
    ) =>
      recordRunSuccess(db, {
        runId: input.runId,
        kitchenId: input.kitchenId,
        kind: "frequent",
        startedAt,
        now: now(),
        newbookCalls,
        bookingsFetched: fingerprint.bookings,
        rowsChanged,
        dbMs,
        listingFingerprint,
      });
    // Called once the run's outcome is committed.
    const succeeded = (counts: WriteCounts, durationMs: number, dbMs: number): SyncRunResult => ({
      runId: input.runId,
      status: "success",
      window,
      newbookCalls,
      bookingsFetched: fingerprint.bookings,
      rowsChanged: counts.rowsChanged,
      bookingChanges: counts.bookingChanges,
      durationMs,
      dbMs,
      committedAt: now(),
    });

    if (unchanged && !inventory.refreshed) {
      // Nothing to write but the run's outcome: one statement, no transaction, the stored fingerprint
      // left as it is (undefined: not sent again). The fencing check still comes first, as before every
      // commit.
      await ctx.beforeCommit?.();
      const dbStarted = Date.now();
      const durationMs = await recordSuccess(ctx.db, 0, 0);
      // One statement outside a transaction: committed once it has answered.
      return succeeded(NOTHING_WRITTEN, durationMs, Date.now() - dbStarted);
    }
    // Every stored booking of the span was recognisable: those not seen again are all the rest of it.
    const unseen =
      stored !== undefined && stored.others === 0 ? unseenStays(listing.known, stored) : undefined;
    // The stored daily rows hold what the last run derived from the stored bookings with the same inputs
    // (and nothing else writes them without forgetting the fingerprint: forgetListingFingerprint). When
    // every stored booking of the span was recognisable, only the dates the changed ones reach can move.
    const incremental = previous !== null && previous.inputs === fingerprint.inputs && unseen !== undefined;
    // A listing recognised unparsed (bookings null) is unchanged by construction.
    const prepared =
      listing.bookings && !unchanged
        ? prepareWindow({
            kitchenId: input.kitchenId,
            runId: input.runId,
            from: window.from,
            to: window.to,
            bookings: listing.bookings,
            known: listing.known,
            rawDigests: listing.rawDigests,
            roomsAvailable: inventory.roomsAvailable,
            mealMapping,
            now: startedAt,
            changes: { covered: setup.coveredWindow },
            unseen,
            // What can move a date: the bookings read (not recognised) and the stored ones not seen again.
            derive:
              incremental && unseen ? affectedSpan(window, [...listing.bookings, ...unseen]) : undefined,
          })
        : null;
    const dbStarted = Date.now();
    const result = await ctx.db.transaction(async (tx) => {
      await saveRoomInventory(tx, input.kitchenId, inventory);
      const counts = prepared ? await writeWindow(tx, prepared) : NOTHING_WRITTEN;
      const dbMs = Date.now() - dbStarted;
      const durationMs = await recordSuccess(
        tx,
        counts.rowsChanged,
        dbMs,
        unchanged ? undefined : fingerprint.pages.length > 0 ? fingerprint : null,
      );
      await ctx.beforeCommit?.();
      return { counts, dbMs, durationMs };
    });
    ctx.logger.debug("Frequent sync written", {
      kitchenId: input.kitchenId,
      runId: input.runId,
      ...result.counts,
    });
    return succeeded(result.counts, result.durationMs, result.dbMs);
  } catch (error) {
    await recordRunCalls(ctx.db, input.runId, client.stats.totalCalls);
    throw error;
  } finally {
    client.close();
  }
}
