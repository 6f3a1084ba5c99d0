import type { Db } from "@occ/db";
import { alerts } from "@occ/db";
import { and, desc, eq } from "drizzle-orm";

export interface AlertView {
  id: number;
  kind: string;
  severity: string;
  state: string;
  message: string;
  opened_at: string;
  resolved_at: string | null;
}

const MAX_ALERTS = 200;

export async function listAlerts(db: Db, kitchenId: number, state: "open" | "all"): Promise<AlertView[]> {
  const rows = await db
    .select()
    .from(alerts)
    .where(and(eq(alerts.kitchenId, kitchenId), state === "open" ? eq(alerts.state, "open") : undefined))
    .orderBy(desc(alerts.openedAt), desc(alerts.id))
    .limit(MAX_ALERTS);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    state: row.state,
    message: row.message,
    opened_at: row.openedAt.toISOString(),
    resolved_at: row.resolvedAt ? row.resolvedAt.toISOString() : null,
  }));
}
