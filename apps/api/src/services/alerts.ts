import { CREDENTIALS_REJECTED_ERROR, clockTimeIn } from "@occ/core";
import type { Db } from "@occ/db";
import { alerts, kitchens } from "@occ/db";
import { and, desc, eq } from "drizzle-orm";
import type { ALERT_ACTIONS } from "../schemas/data";

/** Where the reader fixes what an action-needed alert is about (the UI links it). */
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** A time the alert's message names, as the kitchen's clock shows it ("18:06") and as an instant. */
export interface AlertTime {
  at: string;
  clock: string;
}

export interface AlertView {
  id: number;
  kind: string;
  severity: string;
  state: string;
  message: string;
  opened_at: string;
  resolved_at: string | null;
  /** Set when the reader has to act, and where: null when nothing is for them to do. */
  action: AlertAction | null;
  /** The times in `message`, so the page can say how long ago or how soon each one is. */
  times: AlertTime[];
}

const MAX_ALERTS = 200;
/** The instants the worker and the reconciler keep in an alert's details and write into its message. */
const TIME_DETAILS = ["last_success_at", "next_sync_at"] as const;

type Details = Record<string, unknown> | null;

function actionOf(kind: string, details: Details): AlertAction | null {
  if (kind === "credentials_rejected") return "settings";
  if (details?.action === "settings" || details?.error_code === CREDENTIALS_REJECTED_ERROR) return "settings";
  return null;
}

function timesOf(details: Details, timeZone: string): AlertTime[] {
  return TIME_DETAILS.flatMap((key) => {
    const value = details?.[key];
    const instant = typeof value === "string" ? new Date(value) : null;
    if (!instant || Number.isNaN(instant.getTime())) return [];
    return [{ at: instant.toISOString(), clock: clockTimeIn(timeZone, instant) }];
  });
}

export async function listAlerts(db: Db, kitchenId: number, state: "open" | "all"): Promise<AlertView[]> {
  const rows = await db
    .select({ alert: alerts, timezone: kitchens.timezone })
    .from(alerts)
    .innerJoin(kitchens, eq(kitchens.id, alerts.kitchenId))
    .where(and(eq(alerts.kitchenId, kitchenId), state === "open" ? eq(alerts.state, "open") : undefined))
    .orderBy(desc(alerts.openedAt), desc(alerts.id))
    .limit(MAX_ALERTS);
  return rows.map(({ alert: row, timezone }) => ({
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    state: row.state,
    message: row.message,
    opened_at: row.openedAt.toISOString(),
    resolved_at: row.resolvedAt ? row.resolvedAt.toISOString() : null,
    action: actionOf(row.kind, row.details),
    times: timesOf(row.details, timezone),
  }));
}
