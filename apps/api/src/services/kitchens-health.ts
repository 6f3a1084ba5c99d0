import type { Db } from "@occ/db";
import { alerts, kitchens, newbookConnections, newbookFrequentSyncSettings } from "@occ/db";
import { asc, count, eq, sql } from "drizzle-orm";
import { isStale, type SettingsRow, type StalenessContext } from "./frequent-sync-settings";

type SyncStatus = "running" | "success" | "failed" | "skipped";

export interface KitchenHealth {
  id: number;
  name: string;
  timezone: string;
  has_connection: boolean;
  is_enabled: boolean;
  sync_interval_minutes: number;
  last_sync_status: SyncStatus | null;
  last_sync_at: string | null;
  last_success_at: string | null;
  consecutive_failures: number;
  stale: boolean;
  next_sync_at: string | null;
  open_alerts: number;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** One row per kitchen for the ops view; a kitchen without a settings row shows the defaults. */
export async function kitchensHealth(
  db: Db,
  staleness: (hasConnection: boolean) => StalenessContext,
): Promise<KitchenHealth[]> {
  const openAlerts = db
    .select({ kitchenId: alerts.kitchenId, n: count().as("n") })
    .from(alerts)
    .where(eq(alerts.state, "open"))
    .groupBy(alerts.kitchenId)
    .as("open_alerts");
  const rows = await db
    .select({
      kitchen: kitchens,
      settings: newbookFrequentSyncSettings,
      connected: sql<boolean>`${newbookConnections.kitchenId} is not null`,
      openAlerts: openAlerts.n,
    })
    .from(kitchens)
    .leftJoin(newbookFrequentSyncSettings, eq(newbookFrequentSyncSettings.kitchenId, kitchens.id))
    .leftJoin(newbookConnections, eq(newbookConnections.kitchenId, kitchens.id))
    .leftJoin(openAlerts, eq(openAlerts.kitchenId, kitchens.id))
    .orderBy(asc(kitchens.id));
  return rows.map(({ kitchen, settings, connected, openAlerts: open }) => {
    const s: SettingsRow | null = settings;
    return {
      id: kitchen.id,
      name: kitchen.name,
      timezone: kitchen.timezone,
      has_connection: Boolean(connected),
      is_enabled: s?.isEnabled ?? true,
      sync_interval_minutes: s?.syncIntervalMinutes ?? 15,
      last_sync_status: (s?.lastSyncStatus ?? null) as SyncStatus | null,
      last_sync_at: iso(s?.lastSyncAt),
      last_success_at: iso(s?.lastSuccessAt),
      consecutive_failures: s?.consecutiveFailures ?? 0,
      stale: s ? isStale(s, staleness(Boolean(connected))) : false,
      next_sync_at: iso(s?.nextSyncAt),
      open_alerts: Number(open ?? 0),
    };
  });
}
