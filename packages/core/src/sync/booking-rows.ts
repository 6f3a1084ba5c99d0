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

export function bookingRow(kitchenId: number, booking: NewbookBooking, runId: string) {
  const content = storedContent(booking);
  // One-shot hash: about half the cost of a Hash object per booking, same digest.
  const contentHash = hash("sha256", JSON.stringify(content), "base64url");
  return { kitchenId, newbookId: booking.bookingId, ...content, contentHash, lastSeenRunId: runId };
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
