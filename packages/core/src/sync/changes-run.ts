import type { NewbookBooking } from "../newbook/types";
import { addDays } from "../time";
import { affectedSpan } from "./affected-dates";
import { changeFeedStart, recentAfter, recentByDigest, staysInPeriod } from "./change-feed";
import type { ListingFingerprint } from "./context";
import { type FrequentRun, finishRun, type SyncRunResult, stayingPeriod, storedSpanOf } from "./frequent-run";
import { type PreparedWindow, prepareWindow, type StoredSpan, writeWindow } from "./persist";

/**
 * A run between whole reads (see change-feed.ts): Newbook is asked only for the bookings changed since
 * `feedFrom`, and only the window's dates they reach are derived again. Null when the window must be read
 * whole after all: a changed booking's place in the listing cannot be told here, or stored bookings of the
 * span cannot be recognised (what a whole read would replace is then unknown).
 */
export async function syncChanges(
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
  if (feed.bookings === null)
    return finishRun(run, { read: "changes", bookings: previous.bookings, fingerprint: undefined });
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
  // change nothing. Of the stored span, only the stays on the dates the bookings read reach are read whole.
  const ids = read.map((booking) => booking.bookingId);
  const reach = affectedSpan(window, read);
  let span = read.length > 0 ? await storedSpanOf(run, { ids, dates: reach }) : null;
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
    return finishRun(run, {
      read: "changes",
      bookings: previous.bookings,
      fingerprint: fingerprintMoved ? moved : undefined,
    });
  }
  const changedIds = new Set([...written.map((booking) => booking.bookingId), ...removed]);
  // The stored versions of the changed bookings: replaced by the ones written, or removed.
  const replacedIn = (stored: StoredSpan) =>
    [...stored.byDigest.values()].filter((stay) => changedIds.has(stay.bookingId));
  let replaced = replacedIn(span);
  const derive = affectedSpan(window, [...written, ...replaced]);
  // A stored version reaching dates the bookings read do not (a stay moved or shortened): their stays too.
  if (derive && !(reach && reach.from <= derive.from && derive.to <= reach.to)) {
    span = await storedSpanOf(run, { ids, dates: derive });
    replaced = replacedIn(span);
  }
  const known = [...span.byDigest.values()].filter((stay) => !changedIds.has(stay.bookingId));
  const prepared: PreparedWindow = prepareWindow({
    kitchenId: input.kitchenId,
    runId: input.runId,
    from: window.from,
    to: window.to,
    bookings: written,
    // The stays on the dates derived (the rest of the span counts on none of them).
    known,
    rawDigests: feed.rawDigests,
    unseen: replaced.filter((stay) => removed.has(stay.bookingId)),
    // The stored rows of the bookings read came with the span: not selected again in the write.
    storedRows: span.rows,
    roomsAvailable,
    mealMapping: run.mealMapping,
    now: run.startedAt,
    changes: { covered: run.setup.coveredWindow },
    derive,
  });
  // Every recognisable stored booking of the span, less the changed ones' stored versions, plus those written.
  const bookings = span.recognised - replaced.length + written.length;
  return finishRun(run, {
    read: "changes",
    bookings,
    // The pages of the last whole read no longer describe what is stored.
    fingerprint: { ...moved, pages: [], bookings },
    write: (tx) => writeWindow(tx, prepared),
  });
}
