import { eq, type SQL, sql } from "drizzle-orm";
import type { Db, Tx } from "./client";
import { newbookConnections, newbookFrequentSyncSettings as settings } from "./schema";

/**
 * `newbook_frequent_sync_settings.has_connection` mirrors whether a `newbook_connections` row exists, so the
 * ops view's state (`health_rank`) is one row's business. Writers set it with the connection; the
 * reconciler repairs any drift (a connection written some other way) set-wise every pass.
 */
export function connectionExists(kitchenId: number | SQL): SQL<boolean> {
  return sql<boolean>`exists (select 1 from ${newbookConnections} where ${newbookConnections.kitchenId} = ${kitchenId})`;
}

/** After saving a kitchen's connection (same transaction). */
export async function markConnected(db: Db | Tx, kitchenId: number): Promise<void> {
  await db
    .update(settings)
    .set({ hasConnection: true })
    .where(sql`${eq(settings.kitchenId, kitchenId)} and not ${settings.hasConnection}`);
}

/** Sets the flag wherever it disagrees with the connections table; returns how many rows it fixed. */
export async function repairConnectionFlags(db: Db | Tx): Promise<number> {
  const fixed = await db.execute(sql`
    update ${settings} s set has_connection = c.connected
    from (select s2.kitchen_id, ${connectionExists(sql`s2.kitchen_id`)} as connected
          from ${settings} s2) c
    where s.kitchen_id = c.kitchen_id and s.has_connection <> c.connected
    returning 1`);
  return (fixed as unknown as { rows: unknown[] }).rows.length;
}
