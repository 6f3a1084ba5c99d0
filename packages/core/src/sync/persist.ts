import type { RoomNight } from "@occ/db";
import { bookings, dailyOccupancy, type Tx } from "@occ/db";
import { and, eq, gt, gte, lte, sql } from "drizzle-orm";
import type { NewbookBooking } from "../newbook/types";
import { addDays, dateRange, type LocalDate } from "../time";
import { batches } from "./batches";
import { type BookingRow, bookingRow, storedToStay } from "./booking-rows";
import { type DailyCounts, type DailyFigures, deriveDailyFigures } from "./derive";
import type { MealMapping } from "./meals";

export interface WindowWrite {
  kitchenId: number;
  runId: string;
  /** Dates whose daily rows are recomputed, both included. */
  from: LocalDate;
  to: LocalDate;
  /** The COMPLETE `staying` result for the nights from - 1 through to. */
  bookings: readonly NewbookBooking[];
  roomsAvailable: number | null;
  mealMapping: MealMapping;
  now: Date;
}

export interface WriteCounts {
  bookingsWritten: number;
  bookingsRemoved: number;
  dailyRowsWritten: number;
  rowsChanged: number;
}

const COUNT_KEYS = [
  "roomsAvailable",
  "roomsOccupied",
  "adults",
  "children",
  "infants",
  "arrivals",
  "arrivalGuests",
  "departures",
  "departureGuests",
  "breakfastCovers",
  "dinnerCovers",
] as const satisfies readonly (keyof DailyCounts)[];

function countsOf(row: DailyCounts): Record<string, number | null> {
  return Object.fromEntries(COUNT_KEYS.map((key) => [key, row[key]]));
}

// jsonb does not keep key order, so room nights are compared through a fixed-order tuple.
function roomNightKey(r: RoomNight): string {
  return JSON.stringify([
    r.room,
    r.siteId,
    r.bookingId,
    r.groupId,
    r.guestName,
    r.adults,
    r.children,
    r.infants,
    r.arrival,
    r.departure,
    r.hasBreakfast,
    r.isDbb,
  ]);
}

function sameFigures(stored: DailyCounts & { roomBreakdown: RoomNight[] }, fresh: DailyFigures): boolean {
  return (
    COUNT_KEYS.every((key) => stored[key] === fresh[key]) &&
    stored.roomBreakdown.length === fresh.roomBreakdown.length &&
    stored.roomBreakdown.every((r, i) => roomNightKey(r) === roomNightKey(fresh.roomBreakdown[i]!))
  );
}

/** Stored bookings Newbook's `staying` list for the nights (from - 1 .. to) would return. */
function inSpan(kitchenId: number, from: LocalDate, to: LocalDate) {
  return and(
    eq(bookings.kitchenId, kitchenId),
    lte(bookings.arrivalDate, to),
    gt(bookings.departureDate, addDays(from, -1)),
  );
}

async function writeBookings(tx: Tx, input: WindowWrite): Promise<{ written: number; removed: number }> {
  // Last one wins if paging returned a booking twice (the book changed between pages).
  const fresh = new Map<string, BookingRow>();
  for (const booking of input.bookings) {
    fresh.set(booking.bookingId, bookingRow(input.kitchenId, booking, input.runId));
  }
  const ids = [...fresh.keys()];
  const stored = await tx
    .select({ id: bookings.id, newbookId: bookings.newbookId, contentHash: bookings.contentHash })
    .from(bookings)
    .where(
      and(
        eq(bookings.kitchenId, input.kitchenId),
        sql`(${bookings.newbookId} = any(${sql.param(ids)}::text[]) or (${inSpan(input.kitchenId, input.from, input.to)}))`,
      ),
    );
  const storedHash = new Map(stored.map((row) => [row.newbookId, row.contentHash]));
  const changed = [...fresh.values()].filter((row) => storedHash.get(row.newbookId) !== row.contentHash);
  const stale = stored.filter((row) => !fresh.has(row.newbookId)).map((row) => row.id);

  let written = 0;
  for (const batch of batches(changed)) {
    const result = await tx
      .insert(bookings)
      .values(batch)
      .onConflictDoUpdate({
        target: [bookings.kitchenId, bookings.newbookId],
        set: {
          groupId: sql`excluded.group_id`,
          status: sql`excluded.status`,
          arrivalDate: sql`excluded.arrival_date`,
          departureDate: sql`excluded.departure_date`,
          arrivalAt: sql`excluded.arrival_at`,
          departureAt: sql`excluded.departure_at`,
          adults: sql`excluded.adults`,
          children: sql`excluded.children`,
          infants: sql`excluded.infants`,
          siteId: sql`excluded.site_id`,
          siteName: sql`excluded.site_name`,
          categoryName: sql`excluded.category_name`,
          guestName: sql`excluded.guest_name`,
          items: sql`excluded.items`,
          contentHash: sql`excluded.content_hash`,
          lastSeenRunId: sql`excluded.last_seen_run_id`,
          updatedAt: input.now,
        },
        setWhere: sql`${bookings.contentHash} is distinct from excluded.content_hash`,
      })
      .returning({ id: bookings.id });
    written += result.length;
  }

  let removed = 0;
  for (const batch of batches(stale)) {
    const result = await tx
      .delete(bookings)
      .where(sql`${bookings.id} = any(${sql.param(batch)}::bigint[])`)
      .returning({ id: bookings.id });
    removed += result.length;
  }
  return { written, removed };
}

async function writeDailyRows(tx: Tx, input: WindowWrite): Promise<number> {
  const storedBookings = await tx
    .select()
    .from(bookings)
    .where(inSpan(input.kitchenId, input.from, input.to));
  const figures = deriveDailyFigures(storedBookings.map(storedToStay), dateRange(input.from, input.to), {
    roomsAvailable: input.roomsAvailable,
    mealMapping: input.mealMapping,
  });
  const existing = await tx
    .select()
    .from(dailyOccupancy)
    .where(
      and(
        eq(dailyOccupancy.kitchenId, input.kitchenId),
        gte(dailyOccupancy.date, input.from),
        lte(dailyOccupancy.date, input.to),
      ),
    );
  const byDate = new Map(existing.map((row) => [row.date, row]));
  const rows = figures.flatMap((fresh) => {
    const old = byDate.get(fresh.date);
    if (old && sameFigures(old, fresh)) return [];
    return [
      {
        kitchenId: input.kitchenId,
        ...fresh,
        // A brand-new date has nothing to compare with, so it is not marked as changed.
        previousFigures: old ? countsOf(old) : null,
        changedAt: old ? input.now : null,
        sourceRunId: input.runId,
        fetchedAt: input.now,
      },
    ];
  });
  for (const batch of batches(rows)) {
    await tx
      .insert(dailyOccupancy)
      .values(batch)
      .onConflictDoUpdate({
        target: [dailyOccupancy.kitchenId, dailyOccupancy.date],
        set: {
          ...Object.fromEntries(
            COUNT_KEYS.map((key) => [key, sql.raw(`excluded.${dailyOccupancy[key].name}`)]),
          ),
          roomBreakdown: sql`excluded.room_breakdown`,
          previousFigures: sql`excluded.previous_figures`,
          changedAt: sql`excluded.changed_at`,
          sourceRunId: sql`excluded.source_run_id`,
          fetchedAt: sql`excluded.fetched_at`,
        },
      });
  }
  return rows.length;
}

/**
 * Replaces what is stored for the span with a complete fetch and recomputes its daily rows. Runs inside
 * the caller's transaction; rows outside the span (earlier dates included) are never touched.
 */
export async function writeWindow(tx: Tx, input: WindowWrite): Promise<WriteCounts> {
  const { written, removed } = await writeBookings(tx, input);
  const dailyRowsWritten = await writeDailyRows(tx, input);
  return {
    bookingsWritten: written,
    bookingsRemoved: removed,
    dailyRowsWritten,
    rowsChanged: written + removed + dailyRowsWritten,
  };
}
