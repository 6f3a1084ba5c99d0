import {
  alerts,
  type Db,
  incidents,
  kitchens,
  newbookConnections,
  newbookFrequentSyncSettings,
  syncRuns,
} from "@occ/db";
import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { AlertNotifier, IncidentNotice } from "./notifier";

export interface OutageThresholds {
  /** Kitchens failing the same way against one host and region that make an outage (OUTAGE_MIN_KITCHENS). */
  minKitchens: number;
  /** How recent their failures must be, in ms (OUTAGE_WINDOW_MINUTES scaled by SYNC_MINUTE_MS). */
  windowMs: number;
}

export type IncidentRow = typeof incidents.$inferSelect;

/** Only Newbook's own error classes can be a Newbook outage; our database or config errors are not. */
export function isOutageClass(errorCode: string): boolean {
  return errorCode.startsWith("newbook_");
}

/** The host of a connection's base URL: kitchens on the same Newbook cluster share it. */
const hostOf = sql<string>`lower(substring(${newbookConnections.baseUrl} from '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]+)'))`;

/**
 * Kitchen -> the open outage on its Newbook host and region. Their other alerts (staleness above all)
 * are told through the incident, which already reached everyone, rather than one by one.
 */
export async function openIncidentByKitchen(db: Db): Promise<Map<number, number>> {
  const rows = await db
    .select({ incidentId: incidents.id, kitchenId: newbookConnections.kitchenId })
    .from(incidents)
    .innerJoin(
      newbookConnections,
      and(eq(newbookConnections.region, incidents.region), sql`${hostOf} = ${incidents.host}`),
    )
    .where(eq(incidents.state, "open"));
  return new Map(rows.map((row) => [row.kitchenId, row.incidentId]));
}

const OUTAGE_WORDS: Record<string, string> = {
  newbook_auth: "Newbook rejects credentials",
  newbook_api: "Newbook refuses requests",
  newbook_throttled: "Newbook is throttling",
  newbook_server: "Newbook answers with server errors",
  newbook_network: "Newbook cannot be reached",
  newbook_timeout: "Newbook is not answering in time",
  newbook_protocol: "Newbook sends unexpected answers",
};

function outageMessage(errorCode: string, host: string, region: string): string {
  const words = OUTAGE_WORDS[errorCode] ?? `Newbook fails (${errorCode})`;
  return `${words} for many kitchens on ${host} (region ${region})`;
}

/**
 * One incident instead of one alert per kitchen when Newbook itself is down: after a kitchen's run
 * fails for good, it counts the kitchens on the same host and region whose last failure in the window
 * has the same error class. From the threshold on, an incident opens (the partial unique index lets
 * exactly one of many workers open it, and only that one notifies); later kitchens join it silently.
 * It resolves, with one message, once every kitchen in it has synced successfully again.
 */
export class OutageDetector {
  constructor(
    private readonly db: Db,
    private readonly notifier: AlertNotifier,
    private readonly thresholds: OutageThresholds,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** After a final failure: the open incident this kitchen is part of (opening one if due), or null. */
  async onFailure(kitchenId: number, errorCode: string): Promise<number | null> {
    if (!isOutageClass(errorCode)) return null;
    const [connection] = await this.db
      .select({ host: hostOf, region: newbookConnections.region })
      .from(newbookConnections)
      .where(eq(newbookConnections.kitchenId, kitchenId));
    if (!connection?.host) return null;
    const key = { host: connection.host, region: connection.region, errorCode };
    const joined = await this.join(key, [kitchenId]);
    if (joined) {
      await this.linkAlerts(joined.id, [kitchenId]);
      return joined.id;
    }
    const failing = await this.failingKitchens(key);
    if (!failing.includes(kitchenId)) failing.push(kitchenId);
    if (failing.length < this.thresholds.minKitchens) return null;
    const [opened] = await this.db
      .insert(incidents)
      .values({
        kind: "newbook_outage",
        ...key,
        message: outageMessage(errorCode, key.host, key.region),
        kitchenIds: failing,
        openedAt: this.now(),
      })
      .onConflictDoNothing({
        target: [incidents.kind, incidents.host, incidents.region, incidents.errorCode],
        where: sql`${incidents.state} = 'open'`,
      })
      .returning();
    if (!opened) return (await this.join(key, failing))?.id ?? null;
    await this.linkAlerts(opened.id, failing);
    await this.notifier.notifyIncident("opened", await this.notice(opened));
    return opened.id;
  }

  /** After a success: resolves the kitchen's open incidents in which no kitchen is failing any more. */
  async onSuccess(kitchenId: number): Promise<void> {
    const s = newbookFrequentSyncSettings;
    const resolved = await this.db
      .update(incidents)
      .set({ state: "resolved", resolvedAt: this.now() })
      .where(
        and(
          eq(incidents.state, "open"),
          sql`${incidents.kitchenIds} @> ${JSON.stringify([kitchenId])}::jsonb`,
          sql`not exists (select 1 from ${s} where ${s.kitchenId} in
            (select jsonb_array_elements_text(${incidents.kitchenIds})::int)
            and ${s.isEnabled} and ${s.consecutiveFailures} > 0)`,
        ),
      )
      .returning();
    for (const incident of resolved)
      await this.notifier.notifyIncident("resolved", await this.notice(incident));
  }

  /** Alerts these kitchens already had open become part of the incident (and resolve without a message). */
  private async linkAlerts(incidentId: number, kitchenIds: number[]): Promise<void> {
    await this.db
      .update(alerts)
      .set({ incidentId })
      .where(and(inArray(alerts.kitchenId, kitchenIds), eq(alerts.state, "open"), isNull(alerts.incidentId)));
  }

  /** Adds kitchens to the open incident with this key, if there is one. */
  private async join(
    key: { host: string; region: string; errorCode: string },
    kitchenIds: number[],
  ): Promise<IncidentRow | null> {
    const [row] = await this.db
      .update(incidents)
      .set({
        kitchenIds: sql`(select coalesce(jsonb_agg(distinct v), '[]'::jsonb) from jsonb_array_elements(${incidents.kitchenIds} || ${JSON.stringify(kitchenIds)}::jsonb) v)`,
      })
      .where(
        and(
          eq(incidents.state, "open"),
          eq(incidents.kind, "newbook_outage"),
          eq(incidents.host, key.host),
          eq(incidents.region, key.region),
          eq(incidents.errorCode, key.errorCode),
        ),
      )
      .returning();
    return row ?? null;
  }

  /**
   * Kitchens on this host and region that failed recently with this class: the settings rows narrow it
   * to kitchens failing now (a scan of one small row per kitchen), then each one's last failed run (by
   * the kitchen/queued_at index) gives the class, so the cost never grows with the run history.
   */
  private async failingKitchens(key: { host: string; region: string; errorCode: string }): Promise<number[]> {
    const since = new Date(this.now().getTime() - this.thresholds.windowMs);
    const s = newbookFrequentSyncSettings;
    const r = syncRuns;
    const lastFailedClass = sql`(select ${r.errorCode} from ${r}
      where ${r.kitchenId} = ${s.kitchenId} and ${r.kind} <> 'historical' and ${r.status} = 'failed'
      order by ${r.queuedAt} desc limit 1)`;
    const rows = await this.db
      .select({ kitchenId: s.kitchenId })
      .from(s)
      .innerJoin(newbookConnections, eq(newbookConnections.kitchenId, s.kitchenId))
      .where(
        and(
          gt(s.consecutiveFailures, 0),
          gt(s.lastSyncAt, since),
          eq(newbookConnections.region, key.region),
          sql`${hostOf} = ${key.host}`,
          sql`${lastFailedClass} = ${key.errorCode}`,
        ),
      );
    return rows.map((row) => row.kitchenId);
  }

  private async notice(incident: IncidentRow): Promise<IncidentNotice> {
    const names =
      incident.kitchenIds.length === 0
        ? []
        : await this.db
            .select({ id: kitchens.id, name: kitchens.name })
            .from(kitchens)
            .where(inArray(kitchens.id, incident.kitchenIds));
    const byId = new Map(names.map((k) => [k.id, k.name]));
    return {
      id: incident.id,
      kind: incident.kind,
      message: incident.message,
      host: incident.host,
      region: incident.region,
      error_code: incident.errorCode,
      kitchens: incident.kitchenIds.map((id) => ({ id, name: byId.get(id) ?? `kitchen ${id}` })),
      opened_at: incident.openedAt.toISOString(),
      resolved_at: incident.resolvedAt?.toISOString() ?? null,
    };
  }
}
