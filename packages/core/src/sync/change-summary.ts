import type { BookingChangeField, BookingChangeKind, BookingSnapshot, DayDelta } from "@occ/db";
import { daysBetween, type LocalDate } from "../time";

/** What the summary reads of a recorded change (a BookingChange or a stored booking_changes row). */
export interface SummarisedChange {
  kind: BookingChangeKind;
  room: string | null;
  guestName: string | null;
  fields: readonly BookingChangeField[];
  before: BookingSnapshot | null;
  after: BookingSnapshot | null;
  deltas: readonly DayDelta[];
}

const weekday = (date: LocalDate) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" });
const dayMonth = (date: LocalDate) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });

/** "tonight"/"today", "tomorrow", "Fri" within the week, else "Fri 11 Dec", as a chef says it. */
export function kitchenDay(date: LocalDate, today: LocalDate, evening = false): string {
  const ahead = daysBetween(today, date);
  if (ahead === 0) return evening ? "tonight" : "today";
  if (ahead === 1) return "tomorrow";
  if (ahead > 1 && ahead < 7) return weekday(date);
  return dayMonth(date);
}

const signed = (n: number) => (n > 0 ? `+${n}` : `−${-n}`);
const plural = (n: number, one: string, many = `${one}s`) => (Math.abs(n) === 1 ? one : many);

function roomList(rooms: readonly string[]): string {
  if (rooms.length === 0) return "";
  const sorted = [...new Set(rooms)].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const last = sorted.pop()!;
  const list = sorted.length > 0 ? `${sorted.join(", ")} and ${last}` : last;
  return `, ${plural(sorted.length + 1, "room")} ${list}`;
}

type Figure = "arrivals" | "breakfastCovers" | "dinnerCovers";
const FIGURES: readonly { key: Figure; noun: string; evening: boolean }[] = [
  { key: "arrivals", noun: "arrival", evening: true },
  { key: "breakfastCovers", noun: "breakfast cover", evening: false },
  { key: "dinnerCovers", noun: "dinner cover", evening: true },
];

/**
 * Pure: a change set in kitchen terms, one line per date and figure that moved ("+2 arrivals tonight,
 * rooms 104 and 212", "−3 dinner covers Fri"), then room moves; lines in date order, arrivals first.
 */
export function describeChangeSet(changes: readonly SummarisedChange[], today: LocalDate): string[] {
  const byDate = new Map<LocalDate, Record<Figure, number> & { rooms: Record<Figure, string[]> }>();
  for (const change of changes) {
    for (const delta of change.deltas) {
      const day = byDate.get(delta.date) ?? {
        arrivals: 0,
        breakfastCovers: 0,
        dinnerCovers: 0,
        rooms: { arrivals: [], breakfastCovers: [], dinnerCovers: [] },
      };
      byDate.set(delta.date, day);
      for (const { key } of FIGURES) {
        day[key] += delta[key];
        if (delta[key] !== 0 && change.room) day.rooms[key].push(change.room);
      }
    }
  }
  const lines: string[] = [];
  for (const date of [...byDate.keys()].sort()) {
    const day = byDate.get(date)!;
    for (const { key, noun, evening } of FIGURES) {
      const n = day[key];
      if (n === 0) continue;
      const rooms = key === "arrivals" ? roomList(day.rooms[key]) : "";
      lines.push(`${signed(n)} ${plural(n, noun)} ${kitchenDay(date, today, evening)}${rooms}`);
    }
  }
  for (const change of changes) {
    if (change.kind !== "changed" || !change.fields.includes("room")) continue;
    const who = change.guestName ?? "A guest";
    const from = change.before?.room ?? "no room";
    const to = change.after?.room ?? "no room";
    lines.push(`${who} moved from room ${from} to ${to}`);
  }
  if (lines.length === 0 && changes.length > 0) {
    lines.push(`${changes.length} ${plural(changes.length, "booking")} updated; covers unchanged`);
  }
  return lines;
}
