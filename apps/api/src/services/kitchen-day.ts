import { addDays, localDateIn, type MealClassifier, mealClassifier } from "@occ/core";
import { bookings, type Db, newbookConnections, newbookFrequentSyncSettings } from "@occ/db";
import { and, eq, gt, inArray, lte } from "drizzle-orm";
import {
  type ArrivalDay,
  arrivalDay,
  type DayBooking,
  type KitchenInfo,
  kitchenInfo,
  type SheetMeal,
  type SheetRow,
  type SheetTotals,
  sheetRows,
} from "./kitchen-day-model";

type Kitchen = { id: number; timezone: string };

const dayColumns = {
  newbookId: bookings.newbookId,
  status: bookings.status,
  arrivalDate: bookings.arrivalDate,
  departureDate: bookings.departureDate,
  adults: bookings.adults,
  children: bookings.children,
  infants: bookings.infants,
  siteName: bookings.siteName,
  siteId: bookings.siteId,
  guestName: bookings.guestName,
  groupName: bookings.groupName,
  eta: bookings.eta,
  checkedInAt: bookings.checkedInAt,
  guests: bookings.guests,
  kitchenNotes: bookings.kitchenNotes,
  items: bookings.items,
};

async function mealsFor(db: Db, kitchenId: number): Promise<MealClassifier> {
  const [mapping] = await db
    .select({
      breakfastGlAccountIds: newbookConnections.breakfastGlAccountIds,
      dinnerGlAccountIds: newbookConnections.dinnerGlAccountIds,
    })
    .from(newbookConnections)
    .where(eq(newbookConnections.kitchenId, kitchenId));
  return mealClassifier(mapping ?? { breakfastGlAccountIds: [], dinnerGlAccountIds: [] });
}

/** When the data shown was last fetched from Newbook: the kitchen's last successful sync. */
async function lastSyncedAt(db: Db, kitchenId: number): Promise<string | null> {
  const [row] = await db
    .select({ at: newbookFrequentSyncSettings.lastSuccessAt })
    .from(newbookFrequentSyncSettings)
    .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
  return row?.at ? row.at.toISOString() : null;
}

/** Bookings staying the night of `night`. */
async function stayingOn(db: Db, kitchenId: number, night: string): Promise<DayBooking[]> {
  return db
    .select(dayColumns)
    .from(bookings)
    .where(
      and(
        eq(bookings.kitchenId, kitchenId),
        lte(bookings.arrivalDate, night),
        gt(bookings.departureDate, night),
      ),
    );
}

export interface Arrivals {
  timezone: string;
  as_of: string | null;
  days: ArrivalDay[];
}

/** Today's and tomorrow's arrivals in the kitchen's zone. */
export async function arrivals(db: Db, kitchen: Kitchen, now: Date): Promise<Arrivals> {
  const today = localDateIn(kitchen.timezone, now);
  const tomorrow = addDays(today, 1);
  const [rows, meals, asOf] = await Promise.all([
    db
      .select(dayColumns)
      .from(bookings)
      .where(and(eq(bookings.kitchenId, kitchen.id), inArray(bookings.arrivalDate, [today, tomorrow]))),
    mealsFor(db, kitchen.id),
    lastSyncedAt(db, kitchen.id),
  ]);
  return {
    timezone: kitchen.timezone,
    as_of: asOf,
    days: [arrivalDay(rows, today, meals), arrivalDay(rows, tomorrow, meals)],
  };
}

export interface Sheet {
  meal: SheetMeal;
  date: string;
  timezone: string;
  as_of: string | null;
  rows: SheetRow[];
  totals: SheetTotals;
}

/** Tomorrow's breakfast or tonight's dinner (or the given date's). */
export async function mealSheet(
  db: Db,
  kitchen: Kitchen,
  meal: SheetMeal,
  date: string | undefined,
  now: Date,
): Promise<Sheet> {
  const today = localDateIn(kitchen.timezone, now);
  const day = date ?? (meal === "breakfast" ? addDays(today, 1) : today);
  const night = meal === "breakfast" ? addDays(day, -1) : day;
  const [rows, meals, asOf] = await Promise.all([
    stayingOn(db, kitchen.id, night),
    mealsFor(db, kitchen.id),
    lastSyncedAt(db, kitchen.id),
  ]);
  return { meal, date: day, timezone: kitchen.timezone, as_of: asOf, ...sheetRows(rows, meal, day, meals) };
}

/** Chips of the given bookings (by Newbook id), for views built from the daily room breakdown. */
export async function kitchenInfoFor(
  db: Db,
  kitchenId: number,
  newbookIds: readonly string[],
): Promise<Map<string, KitchenInfo>> {
  if (newbookIds.length === 0) return new Map();
  const rows = await db
    .select({
      newbookId: bookings.newbookId,
      groupName: bookings.groupName,
      guests: bookings.guests,
      kitchenNotes: bookings.kitchenNotes,
    })
    .from(bookings)
    .where(and(eq(bookings.kitchenId, kitchenId), inArray(bookings.newbookId, [...newbookIds])));
  return new Map(rows.map((row) => [row.newbookId, kitchenInfo(row)]));
}

/** The residents grid's rooms with each stay's chips (dietary, VIP, group, notes) from its stored booking. */
export async function withKitchenInfo<S extends { booking_id: string }>(
  db: Db,
  kitchenId: number,
  rooms: { room: string; stays: S[] }[],
): Promise<{ room: string; stays: (S & KitchenInfo)[] }[]> {
  const ids = rooms.flatMap((room) => room.stays.map((stay) => stay.booking_id));
  const info = await kitchenInfoFor(db, kitchenId, [...new Set(ids)]);
  const none: KitchenInfo = { group_name: null, vip: false, dietary: [], notes: [] };
  return rooms.map((room) => ({
    room: room.room,
    stays: room.stays.map((stay) => ({ ...stay, ...(info.get(stay.booking_id) ?? none) })),
  }));
}
