import type { NewbookBooking } from "../newbook/types";
import { affectedSpan } from "./affected-dates";
import { changeFeedStart, recentAfter } from "./change-feed";
import { freshRoomsTotal, type ListingFingerprint, roomInventory, saveRoomInventory } from "./context";
import type { StayBooking } from "./derive";
import {
  derivationInputs,
  type FrequentRun,
  finishRun,
  NOTHING_WRITTEN,
  type SyncRunResult,
  stayingPeriod,
  storedSpanOf,
} from "./frequent-run";
import { prepareWindow, type StoredSpan, writeWindow } from "./persist";

/** The span's stored bookings the listing did not return unchanged: changed since, or gone. */
function unseenStays(known: readonly StayBooking[], stored: StoredSpan): StayBooking[] {
  const seen = new Set(known);
  return [...stored.byDigest.values()].filter((stay) => !seen.has(stay));
}

const sameDigests = (a: readonly string[], b: readonly string[]) =>
  a.length > 0 && a.length === b.length && a.every((digest, i) => digest === b[i]);

/**
 * A whole read of the window. `previous`: the stored fingerprint; `current`: whether the stored rows came
 * from this run's inputs (see runFrequentSync); `feed`: whether runs until the next whole read use the
 * change feed (its start is then recorded with every whole read).
 */
export async function syncWindow(
  run: FrequentRun,
  previous: ListingFingerprint | null,
  current: boolean,
  feed: boolean,
): Promise<SyncRunResult> {
  const { ctx, input, window, client, connection, startedAt, mealMapping } = run;
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
    return finishRun(run, {
      read: "whole",
      bookings: fingerprint.bookings,
      fingerprint: feed ? fingerprint : undefined,
    });
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
    read: "whole",
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
