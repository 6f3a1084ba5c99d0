import { schedulerIdFor } from "@occ/core";

/** A kitchen that should have a scheduler (enabled, with a Newbook connection) and its period. */
export interface DesiredSchedule {
  kitchenId: number;
  everyMs: number;
}

/** A scheduler found in Redis. `everyMs` is null for one that is not interval-based. */
export interface ActualScheduler {
  id: string;
  everyMs: number | null;
}

export type ReconcileAction =
  | { type: "create"; kitchenId: number; everyMs: number }
  | { type: "update"; kitchenId: number; everyMs: number; fromEveryMs: number | null }
  | { type: "remove"; schedulerId: string };

/**
 * What makes Redis match PostgreSQL: missing schedulers created, wrong periods fixed, and every
 * other scheduler in the queue removed (kitchens disabled or deleted, or ids of an older scheme).
 */
export function planReconcile(
  desired: readonly DesiredSchedule[],
  actual: readonly ActualScheduler[],
): ReconcileAction[] {
  const actualById = new Map(actual.map((s) => [s.id, s]));
  const wanted = new Set<string>();
  const actions: ReconcileAction[] = [];
  for (const { kitchenId, everyMs } of desired) {
    const id = schedulerIdFor(kitchenId);
    wanted.add(id);
    const existing = actualById.get(id);
    if (!existing) actions.push({ type: "create", kitchenId, everyMs });
    else if (existing.everyMs !== everyMs)
      actions.push({ type: "update", kitchenId, everyMs, fromEveryMs: existing.everyMs });
  }
  for (const { id } of actual) {
    if (!wanted.has(id)) actions.push({ type: "remove", schedulerId: id });
  }
  return actions;
}
