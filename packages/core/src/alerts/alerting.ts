import type { Db } from "@occ/db";
import type { AlertNotifier } from "./notifier";
import type { AlertChange, AlertKind } from "./policy";
import { openAlert, resolveAlerts } from "./store";

export interface AlertContext {
  /** Human-readable message per kind, used when an alert of that kind opens. */
  messages: Partial<Record<AlertKind, string>>;
  details?: Record<string, unknown>;
}

/** Stores alert changes and notifies about new incidents and resolutions (not about refreshes). */
export class Alerting {
  constructor(
    private readonly db: Db,
    private readonly notifier: AlertNotifier,
  ) {}

  async apply(kitchenId: number, changes: AlertChange[], context: AlertContext): Promise<void> {
    for (const change of changes) {
      if (change.action === "open") await this.open(kitchenId, change.kind, context);
      else await this.resolve([kitchenId], change.kind);
    }
  }

  async open(kitchenId: number, kind: AlertKind, context: AlertContext): Promise<void> {
    const message = context.messages[kind] ?? kind.replace(/_/g, " ");
    const { alert, opened } = await openAlert(this.db, {
      kitchenId,
      kind,
      message,
      details: context.details,
    });
    if (opened) await this.notifier.notify("opened", alert);
  }

  async resolve(kitchenIds: number[], kind: AlertKind): Promise<void> {
    for (const alert of await resolveAlerts(this.db, kitchenIds, kind)) {
      await this.notifier.notify("resolved", alert);
    }
  }
}
