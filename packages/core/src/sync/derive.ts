import type { RoomNight } from "@occ/db";
import { type BookingItem, NON_STAYING_STATUSES, normaliseStatus } from "../newbook/types";
import { daysBetween, type LocalDate } from "../time";
import { type MealMapping, mealClassifier } from "./meals";

/** What the derivation reads of a booking: satisfied by a fetched booking and by a stored row alike. */
export interface StayBooking {
  bookingId: string;
  groupId: string | null;
  status: string;
  arrivalDate: LocalDate;
  departureDate: LocalDate;
  adults: number;
  children: number;
  infants: number;
  siteId: string | null;
  siteName: string | null;
  guestName: string | null;
  items: readonly BookingItem[];
}

/** The numeric figures of one date; kept separate so "did anything change" compares numbers only. */
export interface DailyCounts {
  roomsAvailable: number | null;
  roomsOccupied: number;
  adults: number;
  children: number;
  infants: number;
  arrivals: number;
  arrivalGuests: number;
  departures: number;
  departureGuests: number;
  breakfastCovers: number;
  dinnerCovers: number;
}

export interface DailyFigures extends DailyCounts {
  date: LocalDate;
  roomBreakdown: RoomNight[];
}

export interface DeriveOptions {
  roomsAvailable: number | null;
  mealMapping: MealMapping;
}

export function isCounted(status: string): boolean {
  return !NON_STAYING_STATUSES.has(normaliseStatus(status));
}

function emptyFigures(date: LocalDate, roomsAvailable: number | null): DailyFigures {
  return {
    date,
    roomsAvailable,
    roomsOccupied: 0,
    adults: 0,
    children: 0,
    infants: 0,
    arrivals: 0,
    arrivalGuests: 0,
    departures: 0,
    departureGuests: 0,
    breakfastCovers: 0,
    dinnerCovers: 0,
    roomBreakdown: [],
  };
}

/** A key whose plain string order is natural order ("9" before "10"): digit runs are zero-padded. */
function naturalKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, (digits) => digits.padStart(20, "0"));
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Each night's rooms in natural order, then by booking; keys are computed once per distinct value. */
function sortRoomBreakdowns(figures: DailyFigures[]): void {
  const keys = new Map<string, string>();
  const keyOf = (text: string) => {
    let key = keys.get(text);
    if (key === undefined) {
      key = naturalKey(text);
      keys.set(text, key);
    }
    return key;
  };
  // Ends on the ids themselves: the order never depends on the order the bookings came in.
  const compare = (a: RoomNight, b: RoomNight) =>
    byKey(keyOf(a.room), keyOf(b.room)) ||
    byKey(keyOf(a.bookingId), keyOf(b.bookingId)) ||
    byKey(a.bookingId, b.bookingId);
  for (const day of figures) day.roomBreakdown.sort(compare);
}

/**
 * Daily figures for `dates` (consecutive, ascending) in one pass over the bookings and their nights.
 * A booking stays night d when arrival <= d < departure; breakfast on d is the one sold with night d - 1.
 */
export function deriveDailyFigures(
  bookings: readonly StayBooking[],
  dates: readonly LocalDate[],
  options: DeriveOptions,
): DailyFigures[] {
  const first = dates[0];
  if (first === undefined) return [];
  const figures = dates.map((date) => emptyFigures(date, options.roomsAvailable));
  const occupiedRooms = dates.map(() => new Set<string>());
  const meals = mealClassifier(options.mealMapping);
  // Bookings share few distinct dates: remember each one's index instead of parsing it again.
  const indexes = new Map<LocalDate, number>();
  const indexOf = (date: LocalDate): number => {
    let index = indexes.get(date);
    if (index === undefined) {
      index = daysBetween(first, date);
      indexes.set(date, index);
    }
    return index;
  };
  const at = (index: number): DailyFigures | undefined =>
    index >= 0 && index < figures.length ? figures[index] : undefined;
  // A handful of distinct statuses: each normalised once.
  const counted = new Map<string, boolean>();

  for (const booking of bookings) {
    let isStatusCounted = counted.get(booking.status);
    if (isStatusCounted === undefined) {
      isStatusCounted = isCounted(booking.status);
      counted.set(booking.status, isStatusCounted);
    }
    if (!isStatusCounted) continue;
    const guests = booking.adults + booking.children + booking.infants;
    const covers = booking.adults + booking.children;

    const arrivalDay = at(indexOf(booking.arrivalDate));
    if (arrivalDay) {
      arrivalDay.arrivals += 1;
      arrivalDay.arrivalGuests += guests;
    }
    const departureDay = at(indexOf(booking.departureDate));
    if (departureDay) {
      departureDay.departures += 1;
      departureDay.departureGuests += guests;
    }

    // Night indexes (relative to the first date) with a breakfast or dinner item; a Set counts a booking
    // once per night however many items it has.
    const breakfastNights = new Set<number>();
    const dinnerNights = new Set<number>();
    for (const item of booking.items) {
      if (meals.isMeal(item, "breakfast")) breakfastNights.add(indexOf(item.stayDate));
      if (meals.isMeal(item, "dinner")) dinnerNights.add(indexOf(item.stayDate));
    }
    for (const night of breakfastNights) {
      const morning = at(night + 1);
      if (morning) morning.breakfastCovers += covers;
    }
    for (const night of dinnerNights) {
      const day = at(night);
      if (day) day.dinnerCovers += covers;
    }

    const firstNight = Math.max(indexOf(booking.arrivalDate), 0);
    const endNight = Math.min(indexOf(booking.departureDate), figures.length);
    for (let night = firstNight; night < endNight; night++) {
      const day = figures[night]!;
      day.adults += booking.adults;
      day.children += booking.children;
      day.infants += booking.infants;
      // A booking without a room still occupies one: key it by the booking so it counts once.
      occupiedRooms[night]!.add(
        booking.siteId === null ? `booking:${booking.bookingId}` : `site:${booking.siteId}`,
      );
      const hasBreakfast = breakfastNights.has(night);
      day.roomBreakdown.push({
        room: booking.siteName ?? booking.siteId ?? "",
        siteId: booking.siteId,
        bookingId: booking.bookingId,
        groupId: booking.groupId,
        guestName: booking.guestName,
        adults: booking.adults,
        children: booking.children,
        infants: booking.infants,
        arrival: booking.arrivalDate,
        departure: booking.departureDate,
        hasBreakfast,
        isDbb: hasBreakfast && dinnerNights.has(night),
      });
    }
  }

  figures.forEach((day, index) => {
    day.roomsOccupied = occupiedRooms[index]!.size;
  });
  sortRoomBreakdowns(figures);
  return figures;
}
