import { revenueDaily, type Tx } from "@occ/db";
import { and, eq, gte, lte, sql } from "drizzle-orm";
import type { EarnedRevenueRow } from "../newbook/types";
import type { LocalDate } from "../time";
import { batches } from "./batches";

export interface RevenueWrite {
  kitchenId: number;
  runId: string;
  from: LocalDate;
  to: LocalDate;
  /** reports_earned_revenue with period_increment "day" for from .. to. */
  rows: readonly EarnedRevenueRow[];
  now: Date;
}

/** Replaces revenue by GL account for the dates, writing only rows whose amounts changed. */
export async function writeRevenue(tx: Tx, input: RevenueWrite): Promise<number> {
  const byKey = new Map<string, typeof revenueDaily.$inferInsert>();
  for (const row of input.rows) {
    if (row.period === null || row.period < input.from || row.period > input.to) continue;
    byKey.set(`${row.period}|${row.glAccountId}`, {
      kitchenId: input.kitchenId,
      date: row.period,
      glAccountId: row.glAccountId,
      glAccountCode: row.glAccountCode,
      description: row.description,
      gross: row.gross,
      net: row.net,
      tax: row.tax,
      sourceRunId: input.runId,
      fetchedAt: input.now,
    });
  }
  const inRange = and(
    eq(revenueDaily.kitchenId, input.kitchenId),
    gte(revenueDaily.date, input.from),
    lte(revenueDaily.date, input.to),
  );
  const stored = await tx
    .select({ id: revenueDaily.id, date: revenueDaily.date, gl: revenueDaily.glAccountId })
    .from(revenueDaily)
    .where(inRange);
  const gone = stored.filter((row) => !byKey.has(`${row.date}|${row.gl}`)).map((row) => row.id);
  let changed = 0;
  if (gone.length > 0) {
    const deleted = await tx
      .delete(revenueDaily)
      .where(sql`${revenueDaily.id} = any(${sql.param(gone)}::bigint[])`)
      .returning({ id: revenueDaily.id });
    changed += deleted.length;
  }
  for (const batch of batches([...byKey.values()])) {
    const written = await tx
      .insert(revenueDaily)
      .values(batch)
      .onConflictDoUpdate({
        target: [revenueDaily.kitchenId, revenueDaily.date, revenueDaily.glAccountId],
        set: {
          glAccountCode: sql`excluded.gl_account_code`,
          description: sql`excluded.description`,
          gross: sql`excluded.gross`,
          net: sql`excluded.net`,
          tax: sql`excluded.tax`,
          sourceRunId: sql`excluded.source_run_id`,
          fetchedAt: sql`excluded.fetched_at`,
        },
        // numeric compares by value, so "12.5" and "12.50" are no change.
        setWhere: sql`(${revenueDaily.gross}, ${revenueDaily.net}, ${revenueDaily.tax}, ${revenueDaily.glAccountCode}, ${revenueDaily.description}) is distinct from (excluded.gross, excluded.net, excluded.tax, excluded.gl_account_code, excluded.description)`,
      })
      .returning({ id: revenueDaily.id });
    changed += written.length;
  }
  return changed;
}
