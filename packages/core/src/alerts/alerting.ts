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
    });
    if (opened) await this.notifier.notify("opened", alert);
  }

  async resolve(kitchenIds: readonly number[], ...kinds: AlertKind[]): Promise<void> {
    for (const alert of await resolveAlerts(this.db, kitchenIds, kinds)) {
      await this.notifier.notify("resolved", alert);
    }
  }
}
