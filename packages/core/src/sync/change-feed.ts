/**
 * The change feed: between whole reads of its window, a next-days sync asks Newbook only for the bookings
 * created or modified since (`bookings_list` with list_type "all", confirmed from real responses), which is
 * usually nothing, instead of the whole window (1.3 MB at 300 rooms) to find it unchanged.
 *
 * Where the feed starts is read off Newbook's own clock: the latest `booking_modified` among the bookings
 * read, less an overlap. Every booking modified after a read is stamped at or after the latest stamp that
 * read saw, so no change can fall before the start whatever our clock, the kitchen's time zone setting or
 * the time between Newbook's stamp and our read. The overlap covers a change Newbook stamped before it but
 * made visible after the read (a slow transaction on its side); bookings sent again are recognised by their
 * raw digest. What the feed cannot promise (a change Newbook does not count as a modification, a booking
 * deleted outright) is caught by the whole read every SYNC_FULL_READ_MINUTES.
 */
import type { NewbookBooking } from "../newbook/types";
import { isFullDateTime, NON_STAYING_STATUSES } from "../newbook/types";
import type { ListingFingerprint } from "./context";

/** How far before the latest `booking_modified` seen the next change feed starts. */
export const CHANGE_FEED_OVERLAP_MS = 10 * 60_000;

/** A property-local "YYYY-MM-DD HH:MM:SS" moved by `ms` (wall-clock arithmetic: no zone is involved). */
function shiftLocal(datetime: string, ms: number): string {
  const moved = new Date(Date.parse(`${datetime.replace(" ", "T")}Z`) + ms);
  return moved.toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Where the change feed after a read starts: the overlap before the latest `booking_modified` among the
 * bookings read, or `previous` (where the feed before it started) when that is later or nothing read
 * carries a stamp. Bookings recognised unread are as they were at the previous read, so their stamps are
 * covered by `previous`. Null: no start is known, and the next run reads the window whole.
 */
export function changeFeedStart(
  previous: string | null | undefined,
  read: readonly Pick<NewbookBooking, "modifiedAt">[],
): string | null {
  let latest: string | null = null;
  for (const { modifiedAt } of read)
    if (modifiedAt !== null && (latest === null || modifiedAt > latest)) latest = modifiedAt;
  const fromRead = latest === null ? null : shiftLocal(latest, -CHANGE_FEED_OVERLAP_MS);
  if (previous === null || previous === undefined || !isFullDateTime(previous)) return fromRead;
  return fromRead !== null && fromRead > previous ? fromRead : previous;
}

/**
 * The start of this run's change feed, or null when the window must be read whole: no start is known, the
 * last whole read is SYNC_FULL_READ_MINUTES old (or stamped in the future: our clock moved back), or whole
 * reads are asked for every run (fullReadMs 0).
 */
export function changeFeedFrom(
  previous: ListingFingerprint | null,
  now: Date,
  fullReadMs: number,
): string | null {
  if (fullReadMs <= 0 || !previous?.changesSince || !previous.fullReadAt) return null;
  const age = now.getTime() - Date.parse(previous.fullReadAt);
  return age >= 0 && age < fullReadMs ? previous.changesSince : null;
}

/** A booking of the feed's overlap as the fingerprint keeps it: the digest of its raw booking, its id. */
export interface RecentBooking {
  rawDigest: string;
  bookingId: string;
}

/** ListingFingerprint.recent as the known bookings of a listing (see listBookingsUnlessUnchanged). */
export function recentByDigest(recent: ListingFingerprint["recent"]): Map<string, RecentBooking> {
  return new Map((recent ?? []).map(([rawDigest, bookingId]) => [rawDigest, { rawDigest, bookingId }]));
}

/**
 * The bookings the next change feed will send again (its overlap), as the fingerprint keeps them: those
 * read whose stamp is at or after `changesSince`, and those recognised from the last such list (the feed
 * sent them, so they are still in it; they drop out once it stops sending them). Undefined when empty.
 */
export function recentAfter(
  changesSince: string | undefined,
  read: readonly Pick<NewbookBooking, "bookingId" | "modifiedAt">[],
  rawDigests: ReadonlyMap<string, string>,
  recognised: readonly RecentBooking[],
): ListingFingerprint["recent"] {
  const recent = new Map(recognised.map((booking) => [booking.rawDigest, booking.bookingId]));
  for (const { bookingId, modifiedAt } of read) {
    const rawDigest = rawDigests.get(bookingId);
    if (
      rawDigest !== undefined &&
      changesSince !== undefined &&
      modifiedAt !== null &&
      modifiedAt >= changesSince
    ) {
      recent.set(rawDigest, bookingId);
    }
  }
  return recent.size > 0 ? [...recent] : undefined;
}

/**
 * Whether Newbook's `staying` listing for the period returns the booking (its stay overlaps the period and
 * its status occupies a room); null when that cannot be told here: an unknown status, or an arrival or
 * departure not in the one form that compares as text. The window is then read whole.
 */
export function staysInPeriod(
  booking: Pick<NewbookBooking, "statusKey" | "arrivalAt" | "departureAt">,
  period: { periodFrom: string; periodTo: string },
): boolean | null {
  if (booking.statusKey === "other") return null;
  if (NON_STAYING_STATUSES.has(booking.statusKey)) return false;
  if (!isFullDateTime(booking.arrivalAt) || !isFullDateTime(booking.departureAt)) return null;
  return booking.arrivalAt < period.periodTo && booking.departureAt > period.periodFrom;
}
