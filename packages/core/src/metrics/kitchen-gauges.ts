import { type Db, newbookFrequentSyncSettings as settings } from "@occ/db";
import { asc, count, desc, eq, gt, min, sql } from "drizzle-orm";
import { Gauge, type Registry } from "prom-client";

export interface KitchenGaugeOptions {
  /**
   * At most this many kitchens get series of their own: those with the most consecutive failures,
   * then the longest since a success. Every replica exports the same values, so a scrape's size must
   * not grow with the number of kitchens (at 20,000 kitchens one series each was 2.9 MB per scrape).
   */
  seriesLimit: number;
}

interface KitchenRow {
  kitchenId: number;
  lastSuccessAt: Date | null;
  failures: number;
}

interface KitchenSnapshot {
  worst: KitchenRow[];
  failing: number;
  enabled: number;
  oldestSuccessAt: Date | null;
}

async function loadSnapshot(db: Db, seriesLimit: number): Promise<KitchenSnapshot> {
  const enabled = eq(settings.isEnabled, true);
  const [worst, [totals]] = await Promise.all([
    seriesLimit === 0
      ? Promise.resolve([])
      : db
          .select({
            kitchenId: settings.kitchenId,
            lastSuccessAt: settings.lastSuccessAt,
            failures: settings.consecutiveFailures,
          })
          .from(settings)
          .where(enabled)
          .orderBy(desc(settings.consecutiveFailures), sql`${asc(settings.lastSuccessAt)} nulls first`)
          .limit(seriesLimit),
    db
      .select({
        enabled: count(),
        failing: sql<number>`(count(*) filter (where ${gt(settings.consecutiveFailures, 0)}))::int`,
        oldestSuccessAt: min(settings.lastSuccessAt),
      })
      .from(settings)
      .where(enabled),
  ]);
  return {
    worst,
    failing: totals?.failing ?? 0,
    enabled: totals?.enabled ?? 0,
    oldestSuccessAt: totals?.oldestSuccessAt ?? null,
  };
}

/**
 * Kitchen health read from PostgreSQL at scrape time, so any replica (or the API) reports the same,
 * current values whichever replica ran the syncs: set-wide figures (enabled, failing, oldest success)
 * plus `sync_last_success_timestamp_seconds{kitchen}` and `sync_consecutive_failures{kitchen}` for
 * the `seriesLimit` kitchens that most need attention. Per-kitchen detail for all kitchens is the
 * admin UI's kitchens-health page, not a metrics scrape.
 */
export function registerKitchenGauges(registry: Registry, db: Db, options: KitchenGaugeOptions): void {
  let pending: Promise<KitchenSnapshot> | null = null;
  // The gauges are collected in one scrape; they share one snapshot.
  const load = () => {
    pending ??= loadSnapshot(db, options.seriesLimit).finally(() => {
      setImmediate(() => {
        pending = null;
      });
    });
    return pending;
  };
  const collectFrom = (read: (gauge: Gauge, snapshot: KitchenSnapshot) => void) =>
    async function (this: Gauge) {
      this.reset();
      const snapshot = await load().catch(() => null);
      if (snapshot) read(this, snapshot);
    };

  new Gauge({
    name: "sync_last_success_timestamp_seconds",
    help: "Unix time of the last successful sync of the kitchens needing most attention (bounded set)",
    labelNames: ["kitchen"],
    registers: [registry],
    collect: collectFrom((gauge, { worst }) => {
      for (const row of worst) {
        if (row.lastSuccessAt)
          gauge.set({ kitchen: String(row.kitchenId) }, row.lastSuccessAt.getTime() / 1000);
      }
    }),
  });
  new Gauge({
    name: "sync_consecutive_failures",
    help: "Consecutive failed sync runs of the kitchens needing most attention (bounded set)",
    labelNames: ["kitchen"],
    registers: [registry],
    collect: collectFrom((gauge, { worst }) => {
      for (const row of worst) gauge.set({ kitchen: String(row.kitchenId) }, row.failures);
    }),
  });
  new Gauge({
    name: "sync_kitchens_enabled",
    help: "Kitchens whose scheduled sync is enabled",
    registers: [registry],
    collect: collectFrom((gauge, { enabled }) => gauge.set(enabled)),
  });
  new Gauge({
    name: "sync_kitchens_failing",
    help: "Enabled kitchens whose last sync run failed (consecutive failures above zero)",
    registers: [registry],
    collect: collectFrom((gauge, { failing }) => gauge.set(failing)),
  });
  new Gauge({
    name: "sync_oldest_last_success_timestamp_seconds",
    help: "Unix time of the oldest last successful sync among enabled kitchens that have had one",
    registers: [registry],
    collect: collectFrom((gauge, { oldestSuccessAt }) => {
      if (oldestSuccessAt) gauge.set(oldestSuccessAt.getTime() / 1000);
    }),
  });
}
