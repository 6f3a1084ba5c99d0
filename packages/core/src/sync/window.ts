import { addDays, type LocalDate, localDateIn } from "../time";

/** Consecutive local dates, both included. */
export interface DateSpan {
  from: LocalDate;
  to: LocalDate;
}

export interface SyncWindow {
  /** The kitchen's calendar date at the time of the run. */
  today: LocalDate;
  /** First date whose daily row the run recomputes (today). */
  from: LocalDate;
  /** Last date whose daily row the run recomputes (today + daysAhead, inclusive). */
  to: LocalDate;
  /** First night fetched: breakfast on `from` is sold with the night before it. */
  fetchFrom: LocalDate;
}

/** The frequent-sync window, with "today" taken in the kitchen's own zone rather than the server's. */
export function frequentWindow(timeZone: string, daysAhead: number, now: Date): SyncWindow {
  return windowFrom(localDateIn(timeZone, now), daysAhead);
}

/** The frequent-sync window from the kitchen's today. */
export function windowFrom(today: LocalDate, daysAhead: number): SyncWindow {
  return { today, from: today, to: addDays(today, daysAhead), fetchFrom: addDays(today, -1) };
}
