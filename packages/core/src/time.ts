/** Calendar dates are "YYYY-MM-DD" strings: property-local days, never shifted by the server's zone. */
export type LocalDate = string;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isLocalDate(value: string): boolean {
  if (!DATE_RE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

// Building a DateTimeFormat is costly and "today" is asked for on hot paths (every API request):
// one formatter per kind and zone, built on first use.
const formats = new Map<string, Intl.DateTimeFormat>();
// en-CA formats as YYYY-MM-DD; en-GB with h23 as 14:02.
const FORMAT_KINDS = {
  date: ["en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }],
  clock: ["en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }],
} as const satisfies Record<string, readonly [string, Intl.DateTimeFormatOptions]>;

function formatIn(kind: keyof typeof FORMAT_KINDS, timeZone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    const [locale, options] = FORMAT_KINDS[kind];
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formats.set(key, format);
  }
  return format;
}

/** The calendar date at `instant` in the IANA zone `timeZone`. */
export function localDateIn(timeZone: string, instant: Date = new Date()): LocalDate {
  return formatIn("date", timeZone).format(instant);
}

/** "14:02" on the kitchen's clock. */
export function clockTimeIn(timeZone: string, instant: Date): string {
  return formatIn("clock", timeZone).format(instant);
}

/** Wall-clock minutes since local midnight at `instant` in `timeZone` (what a kitchen's clock shows). */
export function localMinutesIn(timeZone: string, instant: Date): number {
  const parts = formatIn("clock", timeZone).formatToParts(instant);
  const hour = Number(parts.find((p) => p.type === "hour")?.value);
  const minute = Number(parts.find((p) => p.type === "minute")?.value);
  return hour * 60 + minute;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Every date from `from` to `to`, both included. */
export function dateRange(from: LocalDate, to: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
