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
  input: {
    kitchenId: number;
    kind: AlertKind;
    message: string;
    details?: Record<string, unknown>;
    incidentId?: number | null;
  },
): Promise<{ alert: AlertRow; opened: boolean }> {
  const [row] = await db
    .insert(alerts)
    .values({
      kitchenId: input.kitchenId,
      kind: input.kind,
      severity: ALERT_SEVERITY[input.kind],
      message: input.message,
      details: input.details ?? null,
      incidentId: input.incidentId ?? null,
    })
    .onConflictDoUpdate({
      target: [alerts.kitchenId, alerts.kind],
      targetWhere: sql`${alerts.state} = 'open'`,
      set: {
        message: input.message,
        details: input.details ?? null,
        ...(input.incidentId ? { incidentId: input.incidentId } : {}),
      },
    })
    // xmax is 0 only for a freshly inserted tuple, so it tells a new incident from a refreshed one.
    .returning({ ...getTableColumns(alerts), opened: sql<boolean>`(xmax = 0)` });
  if (!row) throw new Error(`alert upsert returned no row for kitchen ${input.kitchenId}`);
  const { opened, ...alert } = row;
  return { alert, opened };
}

export interface NewAlert {
  kitchenId: number;
  message: string;
  details?: Record<string, unknown>;
  incidentId?: number | null;
}

/** Rows per statement: 8 parameters each stays far below PostgreSQL's 65,535 bind parameters. */
const INSERT_BATCH = 2_000;

/**
 * Opens alerts of one kind for many kitchens with one statement per batch (the reconciler's stale pass
 * can concern thousands). Kitchens that already have one open are left as they are; only the alerts
 * this call opened are returned, which are the ones to notify about.
 */
export async function openAlerts(db: Db, kind: AlertKind, items: readonly NewAlert[]): Promise<AlertRow[]> {
  const opened: AlertRow[] = [];
  for (let i = 0; i < items.length; i += INSERT_BATCH) {
    const rows = await db
      .insert(alerts)
      .values(
        items.slice(i, i + INSERT_BATCH).map((item) => ({
          kitchenId: item.kitchenId,
          kind,
          severity: ALERT_SEVERITY[kind],
          message: item.message,
          details: item.details ?? null,
          incidentId: item.incidentId ?? null,
        })),
      )
      .onConflictDoNothing({ target: [alerts.kitchenId, alerts.kind], where: sql`${alerts.state} = 'open'` })
      .returning();
    opened.push(...rows);
  }
  return opened;
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
