/** What changed in a day's figures since the previous sync, for highlighting table cells. */

export interface FigureChange {
  from: number;
  to: number;
}

/**
 * The fields whose value differs from `previous`. A field missing (or null) in `previous` is unknown,
 * not changed, so a day seen for the first time highlights nothing.
 */
export function changedFigures<K extends string>(
  current: Record<K, number | null>,
  previous: Partial<Record<K, number | null>> | null,
  fields: readonly K[],
): Partial<Record<K, FigureChange>> {
  const changes: Partial<Record<K, FigureChange>> = {};
  if (!previous) return changes;
  for (const field of fields) {
    const before = previous[field];
    const now = current[field];
    if (typeof before === "number" && typeof now === "number" && before !== now) {
      changes[field] = { from: before, to: now };
    }
  }
  return changes;
}

/** "12 -> 14 (+2)" for a cell's title. */
export function describeChange(change: FigureChange): string {
  const delta = change.to - change.from;
  return `${change.from} -> ${change.to} (${delta > 0 ? "+" : ""}${delta})`;
}
