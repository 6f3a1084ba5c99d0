import { type Db, newbookFrequentSyncSettings as settings } from "@occ/db";
import { Gauge, type Registry } from "prom-client";

/**
 * `sync_last_success_timestamp_seconds{kitchen}` and `sync_consecutive_failures{kitchen}`, read from
 * PostgreSQL at scrape time: any replica (or the API) reports the same, current values, whichever
 * replica ran the kitchen's last sync.
 */
export function registerKitchenGauges(registry: Registry, db: Db): void {
  let pending: Promise<Array<{ kitchenId: number; lastSuccessAt: Date | null; failures: number }>> | null =
    null;
  // Both gauges are collected in one scrape; they share one query.
  const load = () => {
    pending ??= db
      .select({
        kitchenId: settings.kitchenId,
        lastSuccessAt: settings.lastSuccessAt,
        failures: settings.consecutiveFailures,
      })
      .from(settings)
      .finally(() => {
        setImmediate(() => {
          pending = null;
        });
      });
    return pending;
  };
  new Gauge({
    name: "sync_last_success_timestamp_seconds",
    help: "Unix time of each kitchen's last successful sync",
    labelNames: ["kitchen"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await load().catch(() => []);
      for (const row of rows) {
        if (row.lastSuccessAt)
          this.set({ kitchen: String(row.kitchenId) }, row.lastSuccessAt.getTime() / 1000);
      }
    },
  });
  new Gauge({
    name: "sync_consecutive_failures",
    help: "Consecutive failed sync runs per kitchen",
    labelNames: ["kitchen"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await load().catch(() => []);
      for (const row of rows) this.set({ kitchen: String(row.kitchenId) }, row.failures);
    },
  });
}
