import { addDays, daysBetween, localDateIn } from "@occ/core";
import type { Db, RoomNight } from "@occ/db";
import { dailyOccupancy } from "@occ/db";
import { and, asc, eq, getTableColumns, gte, lte } from "drizzle-orm";
import { ApiError } from "../errors";
import { MAX_OCCUPANCY_DAYS } from "../schemas/data";

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
}

/** Rooms x nights for the given dates: each stay once per room, with the nights (of these dates) it occupies. */
export function residentsGrid(
  dates: string[],
  nightsByDate: Map<string, RoomNight[]>,
): { room: string; stays: ResidentStay[] }[] {
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
      };
      stays.set(night.bookingId, stay);
      if (!stay.nights.includes(date)) stay.nights.push(date);
    }
  }
  const byRoom = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
  return [...rooms.keys()].sort(byRoom).map((room) => ({
    room,
    stays: [...rooms.get(room)!.values()].sort(
      (a, b) => a.arrival.localeCompare(b.arrival) || byRoom(a.booking_id, b.booking_id),
    ),
  }));
}

export async function residents(
  db: Db,
  kitchen: { id: number; timezone: string },
  start: string | undefined,
  now: Date,
): Promise<{
  start: string;
  end: string;
  dates: string[];
  rooms: { room: string; stays: ResidentStay[] }[];
}> {
  const first = start ?? localDateIn(kitchen.timezone, now);
  const end = addDays(first, 6);
  const dates = Array.from({ length: 7 }, (_, i) => addDays(first, i));
  const rows = await db
    .select({ date: dailyOccupancy.date, roomBreakdown: dailyOccupancy.roomBreakdown })
    .from(dailyOccupancy)
    .where(inRange(kitchen.id, first, end));
  const nightsByDate = new Map(rows.map((row) => [row.date, row.roomBreakdown]));
  return { start: first, end, dates, rooms: residentsGrid(dates, nightsByDate) };
}
