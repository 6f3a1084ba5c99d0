import type { BookingSnapshot } from "@occ/db";
import { addDays, type LocalDate } from "../time";
import { describeChangeSet, type SummarisedChange } from "./change-summary";

/** The days a change webhook is about: what the kitchen can still act on. */
export function webhookDays(today: LocalDate): [LocalDate, LocalDate] {
  return [today, addDays(today, 1)];
}

/** In house on one of the days: sleeping there, or leaving that morning (breakfast). */
function inHouse(stay: BookingSnapshot | null, [first, last]: readonly [LocalDate, LocalDate]): boolean {
  return stay !== null && stay.arrival <= last && stay.departure >= first;
}

/**
 * Pure: the part of a change set about today and tomorrow, in what may leave the building: each change's
 * effects on those two dates only, and no guest names (a room move reads "A guest moved from room 104 to
 * 212"). A room move changes no figure, so it counts when the stay is in house on one of the days.
 */
export function changesForWebhook(
  changes: readonly SummarisedChange[],
  today: LocalDate,
): SummarisedChange[] {
  const days = webhookDays(today);
  return changes.flatMap((change) => {
    const deltas = change.deltas.filter((delta) => days.includes(delta.date));
    const movedInHouse =
      change.fields.includes("room") && (inHouse(change.before, days) || inHouse(change.after, days));
    return deltas.length > 0 || movedInHouse ? [{ ...change, guestName: null, deltas }] : [];
  });
}

export interface ChangeWebhookMessage {
  /** Slack-compatible: "Kitchen: +2 arrivals tonight, rooms 104 and 212 · −3 dinner covers tomorrow". */
  text: string;
  /** Bookings of the change set that touch today or tomorrow. */
  bookings: number;
}

/**
 * Pure: the message for a sync's change set, or null when it is not worth one: fewer than `minBookings`
 * bookings changed for today or tomorrow (null `minBookings`: the kitchen wants none).
 */
export function changeWebhookMessage(input: {
  kitchenName: string;
  /** The kitchen's today when the sync committed, in its own zone. */
  today: LocalDate;
  changes: readonly SummarisedChange[];
  minBookings: number | null;
}): ChangeWebhookMessage | null {
  if (input.minBookings === null) return null;
  const relevant = changesForWebhook(input.changes, input.today);
  if (relevant.length === 0 || relevant.length < input.minBookings) return null;
  const lines = describeChangeSet(relevant, input.today);
  return { text: `${input.kitchenName}: ${lines.join(" · ")}`, bookings: relevant.length };
}
