import { alerts, type Db } from "@occ/db";
import { and, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import { ALERT_SEVERITY, type AlertKind } from "./policy";

export type AlertRow = typeof alerts.$inferSelect;

/**
 * Opens the kitchen's alert of this kind, or refreshes the message of the one already open (the
 * partial unique index allows one open alert per kitchen and kind). `opened` is true only for a
 * new incident, which is when anyone should be notified.
 */
export async function openAlert(
  db: Db,
  input: { kitchenId: number; kind: AlertKind; message: string; details?: Record<string, unknown> },
): Promise<{ alert: AlertRow; opened: boolean }> {
  const [row] = await db
    .insert(alerts)
    .values({
      kitchenId: input.kitchenId,
      kind: input.kind,
      severity: ALERT_SEVERITY[input.kind],
      message: input.message,
      details: input.details ?? null,
    })
    .onConflictDoUpdate({
      target: [alerts.kitchenId, alerts.kind],
      targetWhere: sql`${alerts.state} = 'open'`,
      set: { message: input.message, details: input.details ?? null },
    })
    // xmax is 0 only for a freshly inserted tuple, so it tells a new incident from a refreshed one.
    .returning({ ...getTableColumns(alerts), opened: sql<boolean>`(xmax = 0)` });
  if (!row) throw new Error(`alert upsert returned no row for kitchen ${input.kitchenId}`);
  const { opened, ...alert } = row;
  return { alert, opened };
}

/** Resolves the open alerts of these kinds for these kitchens; returns the ones it resolved. */
export async function resolveAlerts(
  db: Db,
  kitchenIds: readonly number[],
  kinds: readonly AlertKind[],
): Promise<AlertRow[]> {
  if (kitchenIds.length === 0 || kinds.length === 0) return [];
  return db
    .update(alerts)
    .set({ state: "resolved", resolvedAt: new Date() })
    .where(
      and(
        inArray(alerts.kitchenId, [...kitchenIds]),
        inArray(alerts.kind, [...kinds]),
        eq(alerts.state, "open"),
      ),
    )
    .returning();
}

export async function openAlertKitchens(db: Db, kind: AlertKind): Promise<number[]> {
  const rows = await db
    .select({ kitchenId: alerts.kitchenId })
    .from(alerts)
    .where(and(eq(alerts.kind, kind), eq(alerts.state, "open")));
  return rows.map((r) => r.kitchenId);
}
