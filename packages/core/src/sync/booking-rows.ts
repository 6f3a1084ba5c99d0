import { hash } from "node:crypto";
import type { bookings } from "@occ/db";
import type { NewbookBooking } from "../newbook/types";
import type { StayBooking } from "./derive";

type StoredBooking = typeof bookings.$inferSelect;
/** A booking as the bookings table stores it (ids, timestamps and defaults aside). */
export type BookingRow = ReturnType<typeof bookingRow>;

/** The stored content of a booking, in a fixed key order so its hash is stable. */
function storedContent(booking: NewbookBooking) {
  return {
    groupId: booking.groupId,
    status: booking.status,
    arrivalDate: booking.arrivalDate,
    departureDate: booking.departureDate,
    arrivalAt: booking.arrivalAt,
    departureAt: booking.departureAt,
    adults: booking.adults,
    children: booking.children,
    infants: booking.infants,
    siteId: booking.siteId,
    siteName: booking.siteName,
    categoryName: booking.categoryName,
    guestName: booking.guestName,
    items: booking.items.map((item) => ({
      stayDate: item.stayDate,
      glAccountId: item.glAccountId,
      name: item.name,
    })),
    groupName: booking.groupName,
    eta: booking.eta,
    checkedInAt: booking.checkedInAt,
    guests: booking.guests,
    kitchenNotes: booking.notes,
  };
}

/**
 * Bump when the derivation or the stored booking columns change: unchanged answers are then re-derived,
 * and stored raw digests (see rawDigestColumn) of the earlier version are no longer trusted.
 */
// 2: bookings gained the kitchen fields (ETA, check-in, guests, notes, group).
export const DERIVATION_VERSION = 2;

/**
 * bookings.raw_digest for a raw booking digest: stamped with the version, as the stored row is what this
 * version makes of the raw booking.
 */
export const rawDigestColumn = (rawDigest: string) => `${DERIVATION_VERSION}:${rawDigest}`;

/** `rawDigest`: the digest of the raw booking it was read from (rawBookingDigest), null when not known. */
export function bookingRow(
  kitchenId: number,
  booking: NewbookBooking,
  runId: string,
  rawDigest: string | null,
) {
  const content = storedContent(booking);
  // One-shot hash: about half the cost of a Hash object per booking, same digest.
  const contentHash = hash("sha256", JSON.stringify(content), "base64url");
  return {
    kitchenId,
    newbookId: booking.bookingId,
    ...content,
    contentHash,
    rawDigest: rawDigest === null ? null : rawDigestColumn(rawDigest),
    lastSeenRunId: runId,
  };
}

type StayColumns =
  | "newbookId"
  | "groupId"
  | "status"
  | "arrivalDate"
  | "departureDate"
  | "adults"
  | "children"
  | "infants"
  | "siteId"
  | "siteName"
  | "guestName"
  | "items";

export function rowToStay(row: Pick<StoredBooking, StayColumns>): StayBooking {
  return {
    bookingId: row.newbookId,
    groupId: row.groupId,
    status: row.status,
    arrivalDate: row.arrivalDate,
    departureDate: row.departureDate,
    adults: row.adults,
    children: row.children,
    infants: row.infants,
    siteId: row.siteId,
    siteName: row.siteName,
    guestName: row.guestName,
    items: row.items,
  };
}
