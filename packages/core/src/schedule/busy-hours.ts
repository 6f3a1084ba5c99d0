import type { BusyWindow } from "@occ/db";
import { addDays, type LocalDate, localDateIn, localMinutesIn } from "../time";

/** One busy-hours window in the kitchen's local wall-clock time: "HH:MM" (inclusive) to "HH:MM" (exclusive). */
export type { BusyWindow };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isClockTime(value: string): boolean {
  return HHMM.test(value);
}

function minutesOf(hhmm: string): number {
  const match = HHMM.exec(hhmm);
  if (!match) throw new Error(`not a clock time: ${hhmm}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Why a list of windows cannot be used, or null when it can (each start before its end, no overlaps). */
export function busyWindowsProblem(windows: readonly BusyWindow[]): string | null {
  const sorted = [...windows].sort((a, b) => a.start.localeCompare(b.start));
  for (const [i, w] of sorted.entries()) {
    if (!isClockTime(w.start) || !isClockTime(w.end)) return "times must be HH:MM (00:00-23:59)";
    if (minutesOf(w.start) >= minutesOf(w.end)) return `${w.start}-${w.end} must end after it starts`;
    const previous = sorted[i - 1];
    if (previous && minutesOf(previous.end) > minutesOf(w.start))
      return `${previous.start}-${previous.end} overlaps ${w.start}-${w.end}`;
  }
  return null;
}

/** Offset of `timeZone` from UTC at `instant`, in ms (positive east of Greenwich). */
function offsetMs(timeZone: string, instant: number): number {
  const date = localDateIn(timeZone, new Date(instant));
  const minutes = localMinutesIn(timeZone, new Date(instant));
  const seconds = new Date(instant).getUTCSeconds() * 1000 + new Date(instant).getUTCMilliseconds();
  const asUtc = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000 + seconds;
  return asUtc - instant;
}

/**
 * The instant at which the kitchen's clock shows `hhmm` on `date`. A time that does not exist that day
 * (skipped by a spring-forward change) is moved later by the length of the gap (02:30 for a skipped 01:30,
 * as Temporal's "compatible" rule does); a time that happens twice (autumn) maps to its first occurrence.
 */
export function zonedInstant(timeZone: string, date: LocalDate, hhmm: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutesOf(hhmm) * 60_000;
  // Two passes: the offset before a change and the offset after it; the earlier consistent one wins.
  const candidates = [offsetMs(timeZone, wall - 86_400_000 / 2), offsetMs(timeZone, wall + 86_400_000 / 2)]
    .map((offset) => wall - offset)
    .filter((instant) => localDateIn(timeZone, new Date(instant)) === date)
    .filter((instant) => localMinutesIn(timeZone, new Date(instant)) === minutesOf(hhmm))
    .sort((a, b) => a - b);
  if (candidates[0] !== undefined) return candidates[0];
  // Skipped wall time: read it with the offset from before the change, which lands after the jump.
  return wall - offsetMs(timeZone, wall - 86_400_000 / 2);
}

/** Whether the kitchen's clock at `instant` reads inside one of the windows. */
export function inBusyHours(windows: readonly BusyWindow[], timeZone: string, instant: Date): boolean {
  if (windows.length === 0) return false;
  const minutes = localMinutesIn(timeZone, instant);
  return windows.some((w) => minutesOf(w.start) <= minutes && minutes < minutesOf(w.end));
}

/** The first start of a busy window strictly after `after` (within the next two local days), or null. */
export function nextBusyStart(windows: readonly BusyWindow[], timeZone: string, after: Date): number | null {
  if (windows.length === 0) return null;
  const today = localDateIn(timeZone, after);
  let best: number | null = null;
  for (const date of [today, addDays(today, 1), addDays(today, 2)]) {
    for (const w of windows) {
      const start = zonedInstant(timeZone, date, w.start);
      if (start > after.getTime() && (best === null || start < best)) best = start;
    }
    if (best !== null) return best;
  }
  return best;
}
