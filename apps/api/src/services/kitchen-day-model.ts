import { addDays, isCounted, type MealClassifier } from "@occ/core";
import type { StoredGuest, StoredItem } from "@occ/db";

/**
 * The kitchen's day, pure: who arrives when (by hour of their ETA) and who eats breakfast or dinner on a
 * date, from stored bookings. Everything here is personal data; it is only ever returned to the kitchen's
 * own users and admins, never logged.
 */

/** The stored booking columns this needs. */
export interface DayBooking {
  newbookId: string;
  status: string;
  arrivalDate: string;
  departureDate: string;
  adults: number;
  children: number;
  infants: number;
  siteName: string | null;
  siteId: string | null;
  guestName: string | null;
  groupName: string | null;
  eta: string | null;
  checkedInAt: string | null;
  guests: StoredGuest[];
  kitchenNotes: string[];
  items: StoredItem[];
}

export type MealPlan = "room_only" | "breakfast" | "dinner" | "dinner_bed_breakfast";

/** Chips for one booking: distinct dietary needs with whose they are, VIP, group, notes. */
export interface KitchenInfo {
  group_name: string | null;
  vip: boolean;
  dietary: { requirement: string; guest: string | null }[];
  notes: string[];
}

export function kitchenInfo(b: Pick<DayBooking, "groupName" | "guests" | "kitchenNotes">): KitchenInfo {
  return {
    group_name: b.groupName,
    vip: b.guests.some((g) => g.vip),
    dietary: b.guests.flatMap((g) =>
      g.dietary.map((requirement) => ({ requirement, guest: g.name === "" ? null : g.name })),
    ),
    notes: b.kitchenNotes,
  };
}

const roomOf = (b: DayBooking) => b.siteName ?? b.siteId ?? "";
const byRoom = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** The meal plan of the night `night`: breakfast the morning after, dinner that evening. */
export function mealPlanOn(b: DayBooking, night: string, meals: MealClassifier): MealPlan {
  const items = b.items.filter((item) => item.stayDate === night);
  const breakfast = items.some((item) => meals.isMeal(item, "breakfast"));
  const dinner = items.some((item) => meals.isMeal(item, "dinner"));
  if (breakfast && dinner) return "dinner_bed_breakfast";
  if (breakfast) return "breakfast";
  if (dinner) return "dinner";
  return "room_only";
}

export interface ArrivalRow extends KitchenInfo {
  booking_id: string;
  room: string;
  guest_name: string | null;
  eta: string | null;
  arrived: boolean;
  checked_in_at: string | null;
  adults: number;
  children: number;
  infants: number;
  meal_plan: MealPlan;
}

export interface ArrivalHour {
  /** "14" for 14:00-14:59; null for arrivals without an ETA. */
  hour: string | null;
  bookings: number;
  guests: number;
  arrived: number;
  arrivals: ArrivalRow[];
}

export interface ArrivalDay {
  date: string;
  bookings: number;
  guests: number;
  arrived: number;
  hours: ArrivalHour[];
}

const guestsOf = (b: { adults: number; children: number; infants: number }) =>
  b.adults + b.children + b.infants;

/** Arrivals on `date`, grouped by the hour of their ETA (earliest first, "no ETA" last). */
export function arrivalDay(bookings: readonly DayBooking[], date: string, meals: MealClassifier): ArrivalDay {
  const rows = bookings
    .filter((b) => b.arrivalDate === date && isCounted(b.status))
    .map(
      (b): ArrivalRow => ({
        booking_id: b.newbookId,
        room: roomOf(b),
        guest_name: b.guestName,
        eta: b.eta,
        // Newbook's status says arrived before (or without) a check-in time in some accounts.
        arrived: b.checkedInAt !== null || /^(arrived|departed)$/i.test(b.status.trim()),
        checked_in_at: b.checkedInAt,
        adults: b.adults,
        children: b.children,
        infants: b.infants,
        meal_plan: mealPlanOn(b, date, meals),
        ...kitchenInfo(b),
      }),
    )
    .sort((a, b) => (a.eta ?? "99").localeCompare(b.eta ?? "99") || byRoom(a.room, b.room));
  const hours = new Map<string | null, ArrivalRow[]>();
  for (const row of rows) {
    const hour = row.eta === null ? null : row.eta.slice(0, 2);
    hours.set(hour, [...(hours.get(hour) ?? []), row]);
  }
  const sum = (list: ArrivalRow[], f: (r: ArrivalRow) => number) => list.reduce((n, r) => n + f(r), 0);
  return {
    date,
    bookings: rows.length,
    guests: sum(rows, guestsOf),
    arrived: rows.filter((r) => r.arrived).length,
    hours: [...hours.entries()].map(([hour, list]) => ({
      hour,
      bookings: list.length,
      guests: sum(list, guestsOf),
      arrived: list.filter((r) => r.arrived).length,
      arrivals: list,
    })),
  };
}

export type SheetMeal = "breakfast" | "dinner";

export interface SheetRow extends KitchenInfo {
  room: string;
  booking_id: string;
  names: string[];
  adults: number;
  children: number;
  infants: number;
}

export interface SheetTotals {
  rooms: number;
  adults: number;
  children: number;
  infants: number;
  /** Adults and children: infants eat from someone's plate (as the daily covers count them). */
  covers: number;
}

/**
 * Who eats `meal` on `date`: breakfast on a morning is the one sold with the night before, dinner the
 * one sold with that night (the same rule as the daily covers, so the sheet's total equals them).
 */
export function sheetRows(
  bookings: readonly DayBooking[],
  meal: SheetMeal,
  date: string,
  meals: MealClassifier,
): { rows: SheetRow[]; totals: SheetTotals } {
  const night = meal === "breakfast" ? addDays(date, -1) : date;
  const rows = bookings
    .filter(
      (b) =>
        isCounted(b.status) && b.items.some((item) => item.stayDate === night && meals.isMeal(item, meal)),
    )
    .map(
      (b): SheetRow => ({
        room: roomOf(b),
        booking_id: b.newbookId,
        names:
          b.guests.length > 0
            ? b.guests.map((g) => g.name).filter(Boolean)
            : b.guestName
              ? [b.guestName]
              : [],
        adults: b.adults,
        children: b.children,
        infants: b.infants,
        ...kitchenInfo(b),
      }),
    )
    .sort((a, b) => byRoom(a.room, b.room) || byRoom(a.booking_id, b.booking_id));
  const sum = (f: (r: SheetRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  const adults = sum((r) => r.adults);
  const children = sum((r) => r.children);
  return {
    rows,
    totals: {
      rooms: rows.length,
      adults,
      children,
      infants: sum((r) => r.infants),
      covers: adults + children,
    },
  };
}

/** RFC 4180 field; a leading =, +, - or @ is neutralised so a spreadsheet never runs it as a formula. */
function csvField(value: string | number | boolean): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The sheet's rows as CSV, one line per room, the same rows and totals the page shows. */
export function sheetCsv(rows: readonly SheetRow[], totals: SheetTotals): string {
  const header = ["room", "names", "adults", "children", "infants", "dietary", "vip", "group", "notes"];
  const lines = rows.map((r) =>
    [
      r.room,
      r.names.join("; "),
      r.adults,
      r.children,
      r.infants,
      r.dietary.map((d) => (d.guest ? `${d.requirement} (${d.guest})` : d.requirement)).join("; "),
      r.vip ? "VIP" : "",
      r.group_name ?? "",
      r.notes.join("; "),
    ].map(csvField),
  );
  const total = [
    "TOTAL",
    `${totals.rooms} rooms`,
    totals.adults,
    totals.children,
    totals.infants,
    "",
    "",
    "",
    "",
  ];
  return `${[header, ...lines, total.map(csvField)].map((line) => line.join(",")).join("\r\n")}\r\n`;
}
