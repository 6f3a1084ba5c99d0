/**
 * The frequent-sync form's rules, worded for the page (the API's messages name JSON fields): days ahead,
 * the interval advice by room count, and busy hours. Pure: no React, no requests.
 */
import type { SyncInterval, SyncRun } from "@occ/api";

export const DAYS_AHEAD_MIN = 1;
export const DAYS_AHEAD_MAX = 30;
const DAYS_AHEAD_RANGE = `${DAYS_AHEAD_MIN}-${DAYS_AHEAD_MAX}`;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** The change webhook's threshold: bookings changed for today or tomorrow (the API's bounds). */
export const CHANGE_ALERT_MIN = 1;
export const CHANGE_ALERT_MAX = 1000;

/**
 * The change-alert field's text: a number of bookings, or null for "never" (the field left empty), or the
 * message the page shows beside the field.
 */
export function parseChangeAlertMin(text: string): Parsed<number | null> {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: null };
  const range = `${CHANGE_ALERT_MIN}-${CHANGE_ALERT_MAX}`;
  if (!/^\d+$/.test(trimmed))
    return { ok: false, error: `Enter a whole number of bookings, ${range}, or leave it empty for never` };
  const value = Number(trimmed);
  if (value < CHANGE_ALERT_MIN || value > CHANGE_ALERT_MAX)
    return { ok: false, error: `Enter ${range} bookings, or leave it empty for never` };
  return { ok: true, value };
}

/** The Days Ahead field's text as a number, or the message the page shows beside the field. */
export function parseDaysAhead(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: `Days ahead is required (${DAYS_AHEAD_RANGE})` };
  if (!/^\d+$/.test(trimmed))
    return { ok: false, error: `Days ahead must be a whole number, ${DAYS_AHEAD_RANGE}` };
  const value = Number(trimmed);
  if (value < DAYS_AHEAD_MIN || value > DAYS_AHEAD_MAX)
    return { ok: false, error: `Days ahead must be ${DAYS_AHEAD_RANGE}` };
  return { ok: true, value };
}

/**
 * The plan's advice by property size: under 10 rooms every 30 minutes, 10-25 rooms every 15, more every
 * 10. Null while the room count is unknown (before the first sync): no advice is better than a guess.
 */
export function recommendedInterval(roomsTotal: number | null): SyncInterval | null {
  if (roomsTotal === null) return null;
  if (roomsTotal < 10) return 30;
  if (roomsTotal <= 25) return 15;
  return 10;
}

export function intervalLabel(minutes: number, recommended: number | null): string {
  return `Every ${minutes} minutes${minutes === recommended ? " (Recommended)" : ""}`;
}

/** The API's field names, as the page labels them. */
const FIELD_LABELS: Record<string, string> = {
  days_ahead: "Days ahead",
  sync_interval_minutes: "Sync interval",
  busy_interval_minutes: "Busy-hours interval",
  busy_hours: "Busy hours",
  is_enabled: "Automatic sync",
};

/** An API message ("days_ahead must be an integer between 1 and 30") in the page's words. */
export function inPageWords(message: string): string {
  return message.replace(
    /\b(days_ahead|sync_interval_minutes|busy_interval_minutes|busy_hours|is_enabled)\b/g,
    (field) => FIELD_LABELS[field] ?? field,
  );
}

/** One busy-hours range as the editor holds it: "HH:MM" texts, possibly empty while being typed. */
export interface BusyRangeDraft {
  start: string;
  end: string;
}

export interface BusyHoursCheck {
  /** Per range, the message shown beside it (null when that range is fine). */
  ranges: (string | null)[];
  /** About the whole list or the interval. */
  interval: string | null;
}

export const BUSY_RANGES_MAX = 6;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * The editor's checks, the same rules the API applies (times HH:MM, each range ends after it starts on
 * the same day, no overlaps, at most six), said per range; plus an interval faster than the normal one.
 */
export function checkBusyHours(
  ranges: readonly BusyRangeDraft[],
  busyInterval: number | null,
  normalInterval: number,
): BusyHoursCheck {
  const messages: (string | null)[] = ranges.map((range, i) => {
    const name = `Busy hours ${i + 1}`;
    if (range.start === "" || range.end === "") return `${name}: enter a start and an end time`;
    if (!HHMM.test(range.start) || !HHMM.test(range.end)) return `${name}: times must be HH:MM`;
    if (minutesOf(range.end) <= minutesOf(range.start))
      return `${name}: the end (${range.end}) must be after the start (${range.start}); a range cannot cross midnight, split it in two`;
    return null;
  });
  const valid = ranges.flatMap((range, index) => (messages[index] === null ? [{ ...range, index }] : []));
  const sorted = [...valid].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
  for (const [i, range] of sorted.entries()) {
    const previous = sorted[i - 1];
    if (previous && minutesOf(previous.end) > minutesOf(range.start))
      messages[range.index] =
        `Busy hours ${range.index + 1} (${range.start}-${range.end}) overlaps busy hours ${previous.index + 1} (${previous.start}-${previous.end})`;
  }
  let interval: string | null = null;
  if (ranges.length > BUSY_RANGES_MAX) interval = `At most ${BUSY_RANGES_MAX} busy-hours ranges`;
  else if (ranges.length > 0 && busyInterval === null) interval = "Choose the interval for busy hours";
  else if (ranges.length > 0 && busyInterval !== null && busyInterval >= normalInterval)
    interval = `Busy-hours interval must be shorter than the normal interval (every ${normalInterval} minutes)`;
  return { ranges: messages, interval };
}

export function busyHoursOk(check: BusyHoursCheck): boolean {
  return check.interval === null && check.ranges.every((message) => message === null);
}

/** "06:00-10:00, 16:00-21:00". */
export function busyHoursText(ranges: readonly BusyRangeDraft[]): string {
  return ranges.map((range) => `${range.start}-${range.end}`).join(", ");
}

/**
 * A run's window as the reader counts it. A next-days run covers today and `days_ahead` days after it,
 * so "7 days ahead" for the default; a historical one names how many dates it covered.
 */
export function runWindowText(run: Pick<SyncRun, "kind" | "window_from" | "window_to">): string {
  const days = Math.round(
    (Date.parse(`${run.window_to}T00:00:00Z`) - Date.parse(`${run.window_from}T00:00:00Z`)) / 86_400_000,
  );
  if (run.kind === "historical") return `${days + 1} ${days === 0 ? "day" : "days"}`;
  return `${days} ${days === 1 ? "day" : "days"} ahead`;
}
