import { createHash } from "node:crypto";
import type { Db, Tx } from "@occ/db";
import type { NewbookClient } from "../newbook/client";
import type { NewbookBooking } from "../newbook/types";
import { addDays, type LocalDate } from "../time";
import { affectedSpan } from "./affected-dates";
import { DERIVATION_VERSION } from "./booking-rows";

import { changeFeedFrom, changeFeedStart, recentAfter, recentByDigest, staysInPeriod } from "./change-feed";
import {
  type ConnectionRow,
  freshRoomsTotal,
  type KitchenSyncSetup,
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
import {
  knownBookings,
  type PreparedWindow,
  prepareWindow,
  type StoredSpan,
  type WriteCounts,
  writeWindow,
} from "./persist";
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

/**
 * Digest of what, besides the bookings, the window's stored rows are derived from, and of which Newbook
 * account they came from: a connection saved anew (another account, say) is read whole at once, as
 * neither the per-booking skip nor the change feed of another account can say what to replace.
 */
function derivationInputs(
  window: SyncWindow,
  roomsAvailable: number | null,
  mealMapping: MealMapping,
  connection: Pick<ConnectionRow, "baseUrl" | "region" | "username" | "updatedAt">,
): string {
  const { from, to, fetchFrom } = window;
  const account = [
    connection.baseUrl,
    connection.region,
    connection.username,
    connection.updatedAt.toISOString(),
  ];
  return createHash("sha256")
    .update(JSON.stringify([DERIVATION_VERSION, from, to, fetchFrom, roomsAvailable, mealMapping, account]))
    .digest("base64url");
}

/** The span's stored bookings the listing did not return unchanged: changed since, or gone. */
function unseenStays(known: readonly StayBooking[], stored: StoredSpan): StayBooking[] {
  const seen = new Set(known);
  return [...stored.byDigest.values()].filter((stay) => !seen.has(stay));
}

const sameDigests = (a: readonly string[], b: readonly string[]) =>
  a.length > 0 && a.length === b.length && a.every((digest, i) => digest === b[i]);

/** What every step of one run works with. */
interface FrequentRun {
  ctx: SyncContext;
  input: FrequentSyncInput;
  setup: KitchenSyncSetup;
  window: SyncWindow;
  client: NewbookClient;
  mealMapping: MealMapping;
  startedAt: Date;
  now: () => Date;
}

/** The span a run's stored bookings are read for: the listing's own, as bookings departing on fetchFrom are listed too. */
const storedSpanOf = (run: FrequentRun) =>
  knownBookings(run.ctx.db, run.input.kitchenId, { from: run.window.fetchFrom, to: run.window.to });

/**
 * Records the run's success, then answers its result. `write`: the run's data, written in the same
 * transaction as its outcome; without it the outcome is one statement and no transaction. `fingerprint`
 * undefined: the stored one is left as it is (not sent again).
 */
async function finishRun(
  run: FrequentRun,
  outcome: {
    bookings: number;
    fingerprint: ListingFingerprint | null | undefined;
    write?: (tx: Tx) => Promise<WriteCounts>;
  },
): Promise<SyncRunResult> {
  const { ctx, input, window, startedAt, now } = run;
  const newbookCalls = run.client.stats.totalCalls;
  const recordSuccess = (db: Db | Tx, rowsChanged: number, dbMs: number) =>
    recordRunSuccess(db, {
      runId: input.runId,
      kitchenId: input.kitchenId,
      kind: "frequent",
      startedAt,
      now: now(),
      newbookCalls,
      bookingsFetched: outcome.bookings,
      rowsChanged,
      dbMs,
      listingFingerprint: outcome.fingerprint,
    });
  let counts = NOTHING_WRITTEN;
  let durationMs: number;
  let dbMs = 0;
  const { write } = outcome;
  if (write) {
    const dbStarted = Date.now();
    ({ counts, durationMs, dbMs } = await ctx.db.transaction(async (tx) => {
      const written = await write(tx);
      const spent = Date.now() - dbStarted;
      const duration = await recordSuccess(tx, written.rowsChanged, spent);
      await ctx.beforeCommit?.();
      return { counts: written, durationMs: duration, dbMs: spent };
    }));
    ctx.logger.debug("Frequent sync written", { kitchenId: input.kitchenId, runId: input.runId, ...counts });
  } else {
    // The fencing check still comes first, as before every commit.
    await ctx.beforeCommit?.();
    const dbStarted = Date.now();
    durationMs = await recordSuccess(ctx.db, 0, 0);
    // One statement outside a transaction: committed once it has answered.
    dbMs = Date.now() - dbStarted;
  }
  return {
    runId: input.runId,
    status: "success",
    window,
    newbookCalls,
    bookingsFetched: outcome.bookings,
    rowsChanged: counts.rowsChanged,
    bookingChanges: counts.bookingChanges,
    durationMs,
    dbMs,
    committedAt: now(),
  };
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
    const run: FrequentRun = {
      ctx,
      input,
      setup,
      window,
      client,
      mealMapping: mealMappingOf(connection),
      startedAt,
      now,
    };
    // The stored rows came from the bookings and these inputs; while a sites_list refresh is due the room
    // count is unknown, so nothing stored can be built on.
    const knownRooms = freshRoomsTotal(connection, startedAt);
    const previous = setup.listingFingerprint;
    const current =
      previous !== null &&
      knownRooms !== null &&
      previous.inputs === derivationInputs(window, knownRooms, run.mealMapping, connection)
        ? previous
        : null;
    const fullReadMs = ctx.config.SYNC_FULL_READ_MINUTES * ctx.config.SYNC_MINUTE_MS;
    const feedFrom = changeFeedFrom(current, startedAt, fullReadMs);
    if (current && knownRooms !== null && feedFrom !== null) {
      const result = await syncChanges(run, current, knownRooms, feedFrom);
      if (result) return result;
    }
    return await syncWindow(run, previous, current !== null, fullReadMs > 0);
  } catch (error) {
    await recordRunCalls(ctx.db, input.runId, client.stats.totalCalls);
    throw error;
  } finally {
    client.close();
  }
}

/**
 * A run between whole reads (see change-feed.ts): Newbook is asked only for the bookings changed since
 * `feedFrom`, and only the window's dates they reach are derived again. Null when the window must be read
 * whole after all: a changed booking's place in the listing cannot be told here, or stored bookings of the
 * span cannot be recognised (what a whole read would replace is then unknown).
 */
async function syncChanges(
  run: FrequentRun,
  previous: ListingFingerprint,
  roomsAvailable: number,
  feedFrom: string,
): Promise<SyncRunResult | null> {
  const { ctx, input, window, client } = run;
  const period = stayingPeriod(window.fetchFrom, window.to);
  await client.reserveRequests(1);
  const feed = await client.listBookingsUnlessUnchanged(
    // Up to the day after the window's end: past Newbook's "now" whatever our clock or zone setting says.
    { periodFrom: feedFrom, periodTo: `${addDays(window.to, 1)} 23:59:59`, listType: "all" },
    // The last feed's answer again, byte for byte: it was handled in full by the run that recorded it.
    previous.feedPage ? [previous.feedPage] : [],
    // The overlap's bookings sent again exactly as before are recognised without the database.
    async () => recentByDigest(previous.recent),
  );
  if (feed.bookings === null) return finishRun(run, { bookings: previous.bookings, fingerprint: undefined });
  const read = feed.bookings;
  const changesSince = changeFeedStart(previous.changesSince, read) ?? undefined;
  const recent = recentAfter(changesSince, read, feed.rawDigests, feed.known);
  ctx.logger.debug("Frequent sync read the change feed", {
    kitchenId: input.kitchenId,
    runId: input.runId,
    read: read.length,
    recognised: feed.known.length,
  });
  // What the bookings read change: the staying ones not stored exactly as sent are written, the stored
  // ones that no longer stay are removed, and the rest (elsewhere in the calendar, or stored as sent)
  // change nothing.
  const span = read.length > 0 ? await storedSpanOf(run) : null;
  const storedIds = new Set(span ? [...span.byDigest.values()].map((stay) => stay.bookingId) : []);
  const written: NewbookBooking[] = [];
  const removed = new Set<string>();
  let left = false;
  for (const booking of read) {
    const stays = staysInPeriod(booking, period);
    if (stays === null) return null;
    const rawDigest = feed.rawDigests.get(booking.bookingId);
    if (stays && !(rawDigest !== undefined && span?.byDigest.has(rawDigest))) written.push(booking);
    else if (!stays) {
      left = true;
      if (storedIds.has(booking.bookingId)) removed.add(booking.bookingId);
    }
  }
  // A stored booking that cannot be recognised could be one that changed or left: only a whole read knows.
  if (span && span.others > 0 && (written.length > 0 || left)) return null;
  const [feedPage] = feed.pageDigests.length === 1 ? feed.pageDigests : [];
  const moved = { ...previous, changesSince, recent, feedPage };
  const fingerprintMoved =
    JSON.stringify([changesSince, recent, feedPage]) !==
    JSON.stringify([previous.changesSince, previous.recent, previous.feedPage]);
  if (!span || (written.length === 0 && removed.size === 0)) {
    // Sent only when it moved: an unchanged fingerprint is not written again.
    return finishRun(run, { bookings: previous.bookings, fingerprint: fingerprintMoved ? moved : undefined });
  }
  const changedIds = new Set([...written.map((booking) => booking.bookingId), ...removed]);
  const storedStays = [...span.byDigest.values()];
  const known = storedStays.filter((stay) => !changedIds.has(stay.bookingId));
  // The stored versions of the changed bookings: replaced by the ones written, or removed.
  const replaced = storedStays.filter((stay) => changedIds.has(stay.bookingId));
  const prepared: PreparedWindow = prepareWindow({
    kitchenId: input.kitchenId,
    runId: input.runId,
    from: window.from,
    to: window.to,
    bookings: written,
    known,
    rawDigests: feed.rawDigests,
    unseen: replaced.filter((stay) => removed.has(stay.bookingId)),
    roomsAvailable,
    mealMapping: run.mealMapping,
    now: run.startedAt,
    changes: { covered: run.setup.coveredWindow },
    derive: affectedSpan(window, [...written, ...replaced]),
  });
  const bookings = known.length + written.length;
  return finishRun(run, {
    bookings,
    // The pages of the last whole read no longer describe what is stored.
    fingerprint: { ...moved, pages: [], bookings },
    write: (tx) => writeWindow(tx, prepared),
  });
}

/**
 * A whole read of the window. `previous`: the stored fingerprint; `current`: whether the stored rows came
 * from this run's inputs (see runFrequentSync); `feed`: whether runs until the next whole read use the
 * change feed (its start is then recorded with every whole read).
 */
async function syncWindow(
  run: FrequentRun,
  previous: ListingFingerprint | null,
  current: boolean,
  feed: boolean,
): Promise<SyncRunResult> {
  const { ctx, input, window, client, startedAt, mealMapping } = run;
  const connection = requireConnection(run.setup);
  const knownRooms = freshRoomsTotal(connection, startedAt);
  // The span's stored bookings, once a page is read in parts.
  let stored: StoredSpan | undefined;
  // With no start for the change feed known (the first run, a forgotten fingerprint), every booking is
  // read for its booking_modified, once: bookings recognised unread would tell nothing of Newbook's clock.
  // Once only: an account whose bookings carry no stamp (fullReadAt recorded, still no start) keeps the
  // per-booking skip and is read whole every run.
  const readAll = feed && !previous?.changesSince && !previous?.fullReadAt;
  // The bookings' first page and a due inventory refresh: slots for both, or the job waits in the queue.
  await client.reserveRequests(knownRooms === null ? 2 : 1);
  // Independent requests: the daily inventory refresh need not wait for the bookings.
  const [inventory, listing] = await Promise.all([
    roomInventory(client, connection, startedAt),
    client.listBookingsUnlessUnchanged(
      { ...stayingPeriod(window.fetchFrom, window.to), listType: "staying" },
      // Most runs find what the last one found. When Newbook's answer is byte-identical and so is
      // everything else the stored rows came from, there is nothing to parse, validate, build or write.
      current && previous && !readAll ? previous.pages : [],
      // Asked only when a page is read: the bookings sent exactly as before need no reading.
      async () => {
        if (readAll) return new Map();
        stored = await storedSpanOf(run);
        return stored.byDigest;
      },
    ),
  ]);
  const fingerprint: ListingFingerprint = {
    inputs: derivationInputs(window, inventory.roomsAvailable, mealMapping, connection),
    pages: listing.pageDigests,
    bookings: listing.bookings ? listing.bookings.length + listing.known.length : (previous?.bookings ?? 0),
    ...(feed ? feedFields(startedAt, previous, listing) : {}),
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
    newbookCalls: client.stats.totalCalls,
  });
  if (unchanged && !inventory.refreshed) {
    // Nothing to write but the run's outcome (and when the feed is on, when this whole read was).
    return finishRun(run, { bookings: fingerprint.bookings, fingerprint: feed ? fingerprint : undefined });
  }
  // Every stored booking of the span was recognisable: those not seen again are all the rest of it.
  const unseen = stored !== undefined && stored.others === 0 ? unseenStays(listing.known, stored) : undefined;
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
          changes: { covered: run.setup.coveredWindow },
          unseen,
          // What can move a date: the bookings read (not recognised) and the stored ones not seen again.
          derive: incremental && unseen ? affectedSpan(window, [...listing.bookings, ...unseen]) : undefined,
        })
      : null;
  return finishRun(run, {
    bookings: fingerprint.bookings,
    fingerprint: unchanged && !feed ? undefined : fingerprint.pages.length > 0 ? fingerprint : null,
    write: async (tx) => {
      await saveRoomInventory(tx, input.kitchenId, inventory);
      return prepared ? writeWindow(tx, prepared) : NOTHING_WRITTEN;
    },
  });
}

/** What a whole read records for the change feed: when it was, where the next feed starts, its overlap. */
function feedFields(
  startedAt: Date,
  previous: ListingFingerprint | null,
  listing: { bookings: NewbookBooking[] | null; rawDigests: ReadonlyMap<string, string> },
): Pick<ListingFingerprint, "fullReadAt" | "changesSince" | "recent"> {
  const fullReadAt = startedAt.toISOString();
  // Recognised whole and unparsed: nothing changed since the last read, nor did where the feed starts.
  if (listing.bookings === null)
    return { fullReadAt, changesSince: previous?.changesSince, recent: previous?.recent };
  const changesSince = changeFeedStart(previous?.changesSince, listing.bookings) ?? undefined;
  return {
    fullReadAt,
    changesSince,
    recent: recentAfter(changesSince, listing.bookings, listing.rawDigests, []),
  };
}
