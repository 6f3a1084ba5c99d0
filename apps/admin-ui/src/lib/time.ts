/** Time formatting for the UI. Pure: the clock and the kitchen's timezone are parameters. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** "just now", "3 min ago", "2 hours ago", "in 5 min" — coarse on purpose, the exact time goes in a title. */
export function formatRelative(iso: string, now: Date): string {
  const diff = now.getTime() - new Date(iso).getTime();
  const past = diff >= 0;
  const abs = Math.abs(diff);
  if (abs < MINUTE) return past ? "just now" : "in less than a minute";
  let text: string;
  if (abs < HOUR) text = `${Math.floor(abs / MINUTE)} min`;
  else if (abs < DAY) text = plural(Math.floor(abs / HOUR), "hour");
  else text = plural(Math.floor(abs / DAY), "day");
  return past ? `${text} ago` : `in ${text}`;
}

/** "24 Nov 2025, 14:03:12" in the given IANA zone. */
export function formatDateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

/** "14:03" (or "14:03:12" with seconds) in the given IANA zone. */
export function formatClock(iso: string, timeZone: string, { seconds = false } = {}): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    ...(seconds && { second: "2-digit" }),
    hourCycle: "h23",
  }).format(new Date(iso));
}

/**
 * formatRelative to the second for the last minute ("12 s ago"), for figures that are seconds old by design;
 * "just now" under a second, and for a time slightly ahead (the server's clock a little ahead of the browser's).
 */
export function formatAge(iso: string, now: Date): string {
  const diff = now.getTime() - new Date(iso).getTime();
  if (diff < 1000) return "just now";
  if (diff < MINUTE) return `${Math.floor(diff / 1000)} s ago`;
  return formatRelative(iso, now);
}

function parseLocalDate(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** A property-local calendar date ("2025-11-24") as "Mon 24 Nov"; no timezone shift, it is already local. */
export function formatLocalDate(date: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC",
    weekday: "short",
    day: "numeric",
    month: "short",
  }).format(parseLocalDate(date));
}

/** Calendar arithmetic on "YYYY-MM-DD" strings. */
export function addDays(date: string, days: number): string {
  const d = parseLocalDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Today's date in an IANA zone, as "YYYY-MM-DD". */
export function todayIn(timeZone: string, now: Date): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** 850 -> "850 ms", 12_300 -> "12.3 s", 95_000 -> "1 min 35 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < MINUTE) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / MINUTE);
  const seconds = Math.round((ms % MINUTE) / 1000);
  return `${minutes} min ${seconds} s`;
}
