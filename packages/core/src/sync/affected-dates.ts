import { addDays, type LocalDate } from "../time";
import type { StayBooking } from "./derive";
import type { DateSpan } from "./window";

/** What a booking's reach over the calendar depends on. */
export type DatedBooking = Pick<StayBooking, "arrivalDate" | "departureDate" | "items">;

/**
 * The dates whose figures a booking can move, both included: arrival to departure (departures count on
 * that day) and each item's date with the morning after it (breakfast is sold with the night before).
 * Whatever a booking holds, it reaches no other date (deriveDailyFigures).
 */
export function touchedSpan(booking: DatedBooking): DateSpan {
  let from = booking.arrivalDate;
  let to = booking.departureDate;
  for (const item of booking.items) {
    if (item.stayDate < from) from = item.stayDate;
    if (item.stayDate >= to) to = addDays(item.stayDate, 1);
  }
  return { from, to };
}

/**
 * The dates of `window` whose figures can differ from those derived before `changed` changed — give each
 * changed booking as it was and as it is, and the bookings added and removed: from the first date any of
 * them reaches to the last, within the window. Null when they reach none of it: every date's figures stand.
 */
export function affectedSpan(window: DateSpan, changed: Iterable<DatedBooking>): DateSpan | null {
  let from: LocalDate | null = null;
  let to: LocalDate | null = null;
  for (const booking of changed) {
    const span = touchedSpan(booking);
    if (span.to < window.from || span.from > window.to) continue;
    if (from === null || span.from < from) from = span.from;
    if (to === null || span.to > to) to = span.to;
  }
  if (from === null || to === null) return null;
  return { from: from < window.from ? window.from : from, to: to > window.to ? window.to : to };
}
