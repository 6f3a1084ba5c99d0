/**
 * Dates and datetimes are kept as property-local strings ("YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS"):
 * Newbook speaks local time without a zone, and fixed-width strings compare correctly as text.
 */
const DAY_MS = 86_400_000;

function toUtcMs(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function fromUtcMs(ms: number): string {
  // Hand-formatted: toISOString() dominated generation time for large hotels.
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

export function addDays(date: string, days: number): string {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/** Whole days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((toUtcMs(b) - toUtcMs(a)) / DAY_MS);
}

/** 0 = Sunday. */
export function weekday(date: string): number {
  return new Date(toUtcMs(date)).getUTCDay();
}

const INPUT_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/**
 * Accepts the three input forms Newbook documents; a bare date means local midnight.
 * Returns null for anything else (including impossible dates like 2025-02-30).
 */
export function parseInputDateTime(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m = INPUT_RE.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00"] = m;
  const date = `${y}-${mo}-${d}`;
  if (fromUtcMs(toUtcMs(date)) !== date) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return `${date} ${h}:${mi}:${s}`;
}

export function isValidDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && fromUtcMs(toUtcMs(value)) === value;
}

export function dateOf(datetime: string): string {
  return datetime.slice(0, 10);
}

/** The wall-clock date and time in an IANA zone at the given instant. */
export function localDateTime(timezone: string, epochMs: number): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(epochMs));
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? "00";
  return {
    date: `${get("year")}-${get("month")}-${get("day")}`,
    time: `${get("hour")}:${get("minute")}:${get("second")}`,
  };
}

/** Every date from `from` to `to` inclusive. */
export function eachDate(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
