import type { Db } from "@occ/db";
import type { AlertNotifier } from "./notifier";
import { openIncidentByKitchen } from "./outage";
import type { AlertChange, AlertKind } from "./policy";
import { type NewAlert, openAlert, openAlerts, resolveAlerts } from "./store";

export interface AlertContext {
  /** Human-readable message per kind, used when an alert of that kind opens. */
  messages: Partial<Record<AlertKind, string>>;
  details?: Record<string, unknown>;
  /** The fleet incident the kitchen is part of: its alerts link to it and are notified there only. */
  incidentId?: number | null;
}

/** Stores alert changes and notifies about new incidents and resolutions (not about refreshes). */
export class Alerting {
  constructor(
    private readonly db: Db,
    readonly notifier: AlertNotifier,
  ) {}

  /** Opens and resolves what one finished run changed for its kitchen. */
  async applyRunChanges(kitchenId: number, changes: AlertChange[], context: AlertContext): Promise<void> {
    for (const change of changes) {
      if (change.action === "open") await this.open(kitchenId, change.kind, context);
    }
    // One statement for all resolutions: after a success, the usual case is that none is open.
    const resolving = changes.filter((c) => c.action === "resolve").map((c) => c.kind);
    await this.resolve([kitchenId], ...resolving);
  }

  async open(kitchenId: number, kind: AlertKind, context: AlertContext): Promise<void> {
    const message = context.messages[kind] ?? kind.replace(/_/g, " ");
    const { alert, opened } = await openAlert(this.db, {
      kitchenId,
      kind,
      message,
      details: context.details,
      incidentId: context.incidentId,
    });
    if (opened && alert.incidentId === null) await this.notifier.notify("opened", alert);
  }

  /**
   * Opens one kind for many kitchens set-wise; one summary notification for all it opened, leaving out
   * kitchens on the Newbook host of an open outage (linked to it, which already told everyone).
   */
  async openMany(kind: AlertKind, items: readonly NewAlert[]): Promise<number> {
    if (items.length === 0) return 0;
    const incidentOf = await openIncidentByKitchen(this.db);
    const opened = await openAlerts(
      this.db,
      kind,
      items.map((item) => ({ ...item, incidentId: incidentOf.get(item.kitchenId) ?? null })),
    );
    await this.notifier.notifySummary(
      "opened",
      kind,
      opened.filter((alert) => alert.incidentId === null),
    );
    return opened.length;
  }

  /** Resolutions of alerts that were notified on their own; those under an incident resolve with it. */
  async resolve(kitchenIds: readonly number[], ...kinds: AlertKind[]): Promise<number> {
    const resolved = await resolveAlerts(this.db, kitchenIds, kinds);
    const notified = resolved.filter((alert) => alert.incidentId === null);
    for (const kind of new Set(notified.map((alert) => alert.kind))) {
      await this.notifier.notifySummary(
        "resolved",
        kind,
        notified.filter((alert) => alert.kind === kind),
      );
    }
    return resolved.length;
  }
}
