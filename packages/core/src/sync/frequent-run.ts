/**
 * What the two kinds of next-days run share (changes-run.ts, whole-read.ts): the run's inputs and result,
 * what its stored rows are derived from, and how its outcome is recorded.
 */
import { createHash } from "node:crypto";
import type { Db, RunRead, Tx } from "@occ/db";
import type { NewbookClient } from "../newbook/client";
import type { LocalDate } from "../time";
import { DERIVATION_VERSION } from "./booking-rows";
import type { ConnectionRow, KitchenSyncSetup, ListingFingerprint, SyncContext } from "./context";
import type { MealMapping } from "./meals";
import { knownBookings, type SpanFocus, type WriteCounts } from "./persist";
import { recordRunSuccess } from "./status";
import type { SyncWindow } from "./window";

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
  /** How the run read Newbook (RUN_READS). */
  read: RunRead;
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

export const NOTHING_WRITTEN: WriteCounts = {
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
export function derivationInputs(
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

/** What every step of one run works with. */
export interface FrequentRun {
  ctx: SyncContext;
  input: FrequentSyncInput;
  setup: KitchenSyncSetup;
  window: SyncWindow;
  client: NewbookClient;
  /** The kitchen's saved connection, as the run found it. */
  connection: ConnectionRow;
  mealMapping: MealMapping;
  startedAt: Date;
  now: () => Date;
}

/**
 * The span a run's stored bookings are read for: the listing's own, as bookings departing on fetchFrom are
 * listed too. `focus`: see knownBookings.
 */
export const storedSpanOf = (run: FrequentRun, focus?: SpanFocus) =>
  knownBookings(run.ctx.db, run.input.kitchenId, { from: run.window.fetchFrom, to: run.window.to }, focus);

/**
 * Records the run's success, then answers its result. `write`: the run's data, written in the same
 * transaction as its outcome; without it the outcome is one statement and no transaction. `fingerprint`
 * undefined: the stored one is left as it is (not sent again).
 */
export async function finishRun(
  run: FrequentRun,
  outcome: {
    /** How the run read Newbook (see RUN_READS). */
    read: RunRead;
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
      read: outcome.read,
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
    read: outcome.read,
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
