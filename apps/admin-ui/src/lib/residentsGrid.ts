/** Placing stays on the rooms x nights grid. */

export interface StaySpan {
  /** 0-based index of the first night shown. */
  startColumn: number;
  /** Number of nights shown (at least 1). */
  span: number;
  /** The stay started before / continues after the visible week. */
  continuesBefore: boolean;
  continuesAfter: boolean;
}

/**
 * Columns are nights: `dates[i]` is the night starting on that date. A stay occupies the nights
 * arrival .. departure - 1. Returns null when the stay has no night in view.
 */
export function staySpan(dates: readonly string[], arrival: string, departure: string): StaySpan | null {
  const first = dates[0];
  const last = dates[dates.length - 1];
  if (first === undefined || last === undefined) return null;
  if (departure <= first || arrival > last) return null;
  const startColumn = arrival <= first ? 0 : dates.indexOf(arrival);
  if (startColumn < 0) return null;
  let endColumn = dates.length - 1;
  for (let i = startColumn; i < dates.length; i++) {
    const night = dates[i];
    if (night !== undefined && night >= departure) {
      endColumn = i - 1;
      break;
    }
  }
  return {
    startColumn,
    span: Math.max(1, endColumn - startColumn + 1),
    continuesBefore: arrival < first,
    continuesAfter: departure > addOneDay(last),
  };
}

function addOneDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** "2A 1C" style guest summary; infants only when present. */
export function guestSummary(adults: number, children: number, infants: number): string {
  const parts = [`${adults}A`];
  if (children > 0) parts.push(`${children}C`);
  if (infants > 0) parts.push(`${infants}I`);
  return parts.join(" ");
}
