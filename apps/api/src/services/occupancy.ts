import { addDays, daysBetween, localDateIn } from "@occ/core";
import type { Db, RoomNight } from "@occ/db";
import { dailyOccupancy } from "@occ/db";
import { and, asc, eq, getTableColumns, gte, lte } from "drizzle-orm";
import { ApiError } from "../errors";
import { MAX_OCCUPANCY_DAYS } from "../schemas/data";
import { type ChangeMark, type ChangeMarkKind, recentChangeMarks } from "./changes";

type DailyRow = Omit<typeof dailyOccupancy.$inferSelect, "roomBreakdown">;

export interface Figures {
  rooms_available: number | null;
  rooms_occupied: number;
  adults: number;
  children: number;
  infants: number;
  guests: number;
  arrivals: number;
  arrival_guests: number;
  departures: number;
  departure_guests: number;
  breakfast_covers: number;
  dinner_covers: number;
}

export interface OccupancyDay extends Figures {
  date: string;
  is_forecast: boolean;
  fetched_at: string;
  changed_at: string | null;
  previous: Record<string, number | null> | null;
}

const num = (v: number | null | undefined) => (typeof v === "number" ? v : 0);

/** Figures as the sync engine stored them before the last change (camelCase keys), in the API's names. */
export function previousFigures(
  stored: Record<string, number | null> | null,
): Record<string, number | null> | null {
  if (!stored) return null;
  const adults = num(stored.adults);
  const children = num(stored.children);
  const infants = num(stored.infants);
  return {
    rooms_available: stored.roomsAvailable ?? null,
    rooms_occupied: num(stored.roomsOccupied),
    adults,
    children,
    infants,
    guests: adults + children + infants,
    arrivals: num(stored.arrivals),
    arrival_guests: num(stored.arrivalGuests),
    departures: num(stored.departures),
    departure_guests: num(stored.departureGuests),
    breakfast_covers: num(stored.breakfastCovers),
    dinner_covers: num(stored.dinnerCovers),
  };
}

export function occupancyDay(row: DailyRow, today: string): OccupancyDay {
  return {
    date: row.date,
    rooms_available: row.roomsAvailable,
    rooms_occupied: row.roomsOccupied,
    adults: row.adults,
    children: row.children,
    infants: row.infants,
    guests: row.adults + row.children + row.infants,
    arrivals: row.arrivals,
    arrival_guests: row.arrivalGuests,
    departures: row.departures,
    departure_guests: row.departureGuests,
    breakfast_covers: row.breakfastCovers,
    dinner_covers: row.dinnerCovers,
    is_forecast: row.date >= today,
    fetched_at: row.fetchedAt.toISOString(),
    changed_at: row.changedAt ? row.changedAt.toISOString() : null,
    previous: previousFigures(row.previousFigures ?? null),
  };
}

const inRange = (kitchenId: number, from: string, to: string) =>
  and(eq(dailyOccupancy.kitchenId, kitchenId), gte(dailyOccupancy.date, from), lte(dailyOccupancy.date, to));

// The room breakdown is large (one entry per occupied room) and only the residents view needs it.
const { roomBreakdown: _roomBreakdown, ...figureColumns } = getTableColumns(dailyOccupancy);

async function dailyRows(db: Db, kitchenId: number, from: string, to: string): Promise<DailyRow[]> {
  return db
    .select(figureColumns)
    .from(dailyOccupancy)
    .where(inRange(kitchenId, from, to))
    .orderBy(asc(dailyOccupancy.date));
}

/** Days that have been synced in [from, to] (default: the kitchen's today .. today + 7). */
export async function occupancy(
  db: Db,
  kitchen: { id: number; timezone: string },
  range: { from?: string; to?: string },
  now: Date,
): Promise<{ timezone: string; today: string; days: OccupancyDay[] }> {
  const today = localDateIn(kitchen.timezone, now);
  const from = range.from ?? today;
  const to = range.to ?? addDays(from, 7);
  const span = daysBetween(from, to);
  if (span < 0)
    throw ApiError.badRequest("validation_error", "Invalid query: to must not be before from", [
      { field: "to", message: "to must not be before from" },
    ]);
  if (span + 1 > MAX_OCCUPANCY_DAYS)
    throw ApiError.badRequest(
      "validation_error",
      `Invalid query: at most ${MAX_OCCUPANCY_DAYS} days at once`,
      [{ field: "to", message: `the range may cover at most ${MAX_OCCUPANCY_DAYS} days` }],
    );
  const rows = await dailyRows(db, kitchen.id, from, to);
  return { timezone: kitchen.timezone, today, days: rows.map((row) => occupancyDay(row, today)) };
}

export interface ResidentStay {
  booking_id: string;
  group_id: string | null;
  guest_name: string | null;
  arrival: string;
  departure: string;
  adults: number;
  children: number;
  infants: number;
  has_breakfast: boolean;
  is_dbb: boolean;
  nights: string[];
  /** New / changed / cancelled by a sync of the last 24 h; null otherwise. */
  change: ChangeMarkKind | null;
  changed_fields: string[];
  change_at: string | null;
}

export interface ResidentRoom {
  room: string;
  stays: ResidentStay[];
}

/** Rooms x nights for the given dates: each stay once per room, with the nights (of these dates) it occupies. */
export function residentsGrid(dates: string[], nightsByDate: Map<string, RoomNight[]>): ResidentRoom[] {
  const rooms = new Map<string, Map<string, ResidentStay>>();
  for (const date of dates) {
    for (const night of nightsByDate.get(date) ?? []) {
      const stays = rooms.get(night.room) ?? new Map<string, ResidentStay>();
      rooms.set(night.room, stays);
      const stay = stays.get(night.bookingId) ?? {
        booking_id: night.bookingId,
        group_id: night.groupId,
        guest_name: night.guestName,
        arrival: night.arrival,
        departure: night.departure,
        adults: night.adults,
        children: night.children,
        infants: night.infants,
        has_breakfast: night.hasBreakfast,
        is_dbb: night.isDbb,
        nights: [],
        change: null,
        changed_fields: [],
        change_at: null,
      };
      stays.set(night.bookingId, stay);
      if (!stay.nights.includes(date)) stay.nights.push(date);
    }
  }
  return sortedRooms(rooms);
}

const byRoom = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

function sortedRooms(rooms: Map<string, Map<string, ResidentStay>>): ResidentRoom[] {
  return [...rooms.keys()].sort(byRoom).map((room) => ({
    room,
    stays: [...rooms.get(room)!.values()].sort(
      (a, b) => a.arrival.localeCompare(b.arrival) || byRoom(a.booking_id, b.booking_id),
    ),
  }));
}

/**
 * Pure: marks the grid's stays changed by a recent sync, and puts cancelled stays back (as they were
 * booked) so a room's row does not silently vanish when its booking is cancelled.
 */
export function withChangeMarks(
  dates: string[],
  grid: ResidentRoom[],
  marks: ReadonlyMap<string, ChangeMark>,
): ResidentRoom[] {
  const rooms = new Map(grid.map((row) => [row.room, new Map(row.stays.map((s) => [s.booking_id, s]))]));
  for (const stays of rooms.values()) {
    for (const stay of stays.values()) {
      const mark = marks.get(stay.booking_id);
      if (!mark) continue;
      stay.change = mark.mark;
      stay.changed_fields = mark.fields;
      stay.change_at = mark.at.toISOString();
    }
  }
  for (const [bookingId, mark] of marks) {
    if (mark.mark !== "cancelled" || !mark.before) continue;
    const { before } = mark;
    const nights = dates.filter((date) => before.arrival <= date && date < before.departure);
    const room = before.room ?? "";
    const stays = rooms.get(room) ?? new Map<string, ResidentStay>();
    if (nights.length === 0 || stays.has(bookingId)) continue;
    rooms.set(room, stays);
    stays.set(bookingId, {
      booking_id: bookingId,
      group_id: null,
      guest_name: mark.guestName,
      arrival: before.arrival,
      departure: before.departure,
      adults: before.adults,
      children: before.children,
      infants: before.infants,
      has_breakfast: before.mealPlan === "breakfast" || before.mealPlan === "dbb",
      is_dbb: before.mealPlan === "dbb",
      nights,
      change: "cancelled",
      changed_fields: [],
      change_at: mark.at.toISOString(),
    });
  }
  return sortedRooms(rooms);
}

export async function residents(
  db: Db,
  kitchen: { id: number; timezone: string },
  start: string | undefined,
  now: Date,
): Promise<{ start: string; end: string; dates: string[]; rooms: ResidentRoom[] }> {
  const first = start ?? localDateIn(kitchen.timezone, now);
  const end = addDays(first, 6);
  const dates = Array.from({ length: 7 }, (_, i) => addDays(first, i));
  const rows = await db
    .select({ date: dailyOccupancy.date, roomBreakdown: dailyOccupancy.roomBreakdown })
    .from(dailyOccupancy)
    .where(inRange(kitchen.id, first, end));
  const nightsByDate = new Map(rows.map((row) => [row.date, row.roomBreakdown]));
  const marks = await recentChangeMarks(db, kitchen.id, now);
  return {
    start: first,
    end,
    dates,
    rooms: withChangeMarks(dates, residentsGrid(dates, nightsByDate), marks),
  };
}
