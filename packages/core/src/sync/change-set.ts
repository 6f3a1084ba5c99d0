import type { BookingChangeField, BookingChangeKind, BookingSnapshot, DayDelta, MealPlan } from "@occ/db";
import { addDays, dateRange, type LocalDate } from "../time";
import { deriveDailyFigures, isCounted, type StayBooking } from "./derive";
import { type MealMapping, mealClassifier } from "./meals";
import type { DateSpan } from "./window";

/** One booking's change as the kitchen sees it: what it was, what it is, what it does to each date. */
export interface BookingChange {
  bookingId: string;
  kind: BookingChangeKind;
  room: string | null;
  guestName: string | null;
  /** For "changed": which of the kitchen's concerns moved; empty for added and cancelled. */
  fields: BookingChangeField[];
  before: BookingSnapshot | null;
  after: BookingSnapshot | null;
  deltas: DayDelta[];
}

export interface ChangeSetInput extends DateSpan {
  /** Stored versions of the bookings the write touches (new or different content, or about to be removed). */
  stored: readonly StayBooking[];
  /** Fetched bookings whose content differs from what is stored (new ones included). */
  fetched: readonly StayBooking[];
  /**
   * The window the kitchen's previous sync covered. A booking first seen outside it has only come into
   * view (a new day entered the window, days_ahead grew): not a new booking. Null: nothing was synced
   * before, so this sync is the baseline and has no change set.
   */
  covered: DateSpan | null;
  mealMapping: MealMapping;
}

/** Same rule as the write: a booking belongs to the span when it stays a night from - 1 .. to. */
function overlaps(booking: Pick<StayBooking, "arrivalDate" | "departureDate">, span: DateSpan): boolean {
  return booking.arrivalDate <= span.to && booking.departureDate > addDays(span.from, -1);
}

function mealPlanOf(booking: StayBooking, mealMapping: MealMapping): MealPlan {
  const meals = mealClassifier(mealMapping);
  const breakfast = booking.items.some((item) => meals.isMeal(item, "breakfast"));
  const dinner = booking.items.some((item) => meals.isMeal(item, "dinner"));
  if (breakfast && dinner) return "dbb";
  if (breakfast) return "breakfast";
  return dinner ? "dinner" : "room_only";
}

function snapshot(booking: StayBooking, mealMapping: MealMapping): BookingSnapshot {
  return {
    arrival: booking.arrivalDate,
    departure: booking.departureDate,
    room: booking.siteName ?? booking.siteId,
    adults: booking.adults,
    children: booking.children,
    infants: booking.infants,
    mealPlan: mealPlanOf(booking, mealMapping),
  };
}

function changedFields(before: BookingSnapshot, after: BookingSnapshot): BookingChangeField[] {
  const fields: BookingChangeField[] = [];
  if (before.arrival !== after.arrival || before.departure !== after.departure) fields.push("dates");
  if (before.room !== after.room) fields.push("room");
  if (
    before.adults !== after.adults ||
    before.children !== after.children ||
    before.infants !== after.infants
  )
    fields.push("guests");
  if (before.mealPlan !== after.mealPlan) fields.push("meal_plan");
  return fields;
}

/**
 * The change's effect on each date of the span, from the very derivation that computes the stored
 * figures (which ignores cancelled statuses), so "-3 dinner covers Fri" in the feed is exactly what
 * moved in the table.
 */
function dayDeltas(
  before: StayBooking | null,
  after: StayBooking | null,
  dates: readonly LocalDate[],
  mealMapping: MealMapping,
): DayDelta[] {
  const options = { roomsAvailable: null, mealMapping };
  const old = deriveDailyFigures(before ? [before] : [], dates, options);
  const fresh = deriveDailyFigures(after ? [after] : [], dates, options);
  const deltas: DayDelta[] = [];
  fresh.forEach((day, index) => {
    const was = old[index]!;
    const delta: DayDelta = {
      date: day.date,
      arrivals: day.arrivals - was.arrivals,
      guests: day.adults + day.children + day.infants - (was.adults + was.children + was.infants),
      breakfastCovers: day.breakfastCovers - was.breakfastCovers,
      dinnerCovers: day.dinnerCovers - was.dinnerCovers,
    };
    if (delta.arrivals || delta.guests || delta.breakfastCovers || delta.dinnerCovers) deltas.push(delta);
  });
  return deltas;
}

function classify(
  before: StayBooking | null,
  after: StayBooking | null,
  input: ChangeSetInput,
): { kind: BookingChangeKind; fields: BookingChangeField[] } | null {
  const wasCounted = before !== null && isCounted(before.status);
  const isNowCounted = after !== null && isCounted(after.status);
  if (wasCounted && !isNowCounted) return { kind: "cancelled", fields: [] };
  if (!isNowCounted || !after) return null;
  if (!wasCounted) {
    // Reinstated bookings were known before; never-seen ones count only inside the covered window.
    const known = before !== null;
    return known || (input.covered !== null && overlaps(after, input.covered))
      ? { kind: "added", fields: [] }
      : null;
  }
  const fields = changedFields(snapshot(before, input.mealMapping), snapshot(after, input.mealMapping));
  return fields.length > 0 ? { kind: "changed", fields } : null;
}

const compareChanges = (a: BookingChange, b: BookingChange) => {
  const dateOf = (c: BookingChange) => (c.after ?? c.before)?.arrival ?? "";
  return (
    dateOf(a).localeCompare(dateOf(b)) ||
    (a.room ?? "").localeCompare(b.room ?? "", undefined, { numeric: true }) ||
    a.bookingId.localeCompare(b.bookingId)
  );
};

/**
 * Pure: what a window write changes for the kitchen. Bookings added (or reinstated), cancelled (status
 * or gone from Newbook's list) and changed in dates, room, guests or meal plan; content changes the
 * kitchen does not see (a guest's name spelling, an item's price) are not changes here.
 */
export function computeChangeSet(input: ChangeSetInput): BookingChange[] {
  if (input.covered === null) return [];
  const span: DateSpan = { from: input.from, to: input.to };
  const dates = dateRange(input.from, input.to);
  const storedById = new Map(input.stored.map((booking) => [booking.bookingId, booking]));
  const fetchedById = new Map(input.fetched.map((booking) => [booking.bookingId, booking]));
  const pairs: [StayBooking | null, StayBooking | null][] = [];
  for (const after of input.fetched) {
    if (overlaps(after, span)) pairs.push([storedById.get(after.bookingId) ?? null, after]);
  }
  for (const before of input.stored) {
    if (!fetchedById.has(before.bookingId) && overlaps(before, span)) pairs.push([before, null]);
  }

  const changes: BookingChange[] = [];
  for (const [before, after] of pairs) {
    const verdict = classify(before, after, input);
    if (!verdict) continue;
    const current = verdict.kind === "cancelled" ? before : after;
    changes.push({
      bookingId: (after ?? before)!.bookingId,
      kind: verdict.kind,
      room: current ? (current.siteName ?? current.siteId) : null,
      guestName: current?.guestName ?? null,
      fields: verdict.fields,
      before: before && isCounted(before.status) ? snapshot(before, input.mealMapping) : null,
      after: after && isCounted(after.status) ? snapshot(after, input.mealMapping) : null,
      deltas: dayDeltas(before, after, dates, input.mealMapping),
    });
  }
  return changes.sort(compareChanges);
}
