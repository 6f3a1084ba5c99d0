/** Rows per multi-row statement: well under PostgreSQL's 65,535 bind parameters. */
export const BATCH_ROWS = 500;

export function batches<T>(items: readonly T[], size = BATCH_ROWS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
