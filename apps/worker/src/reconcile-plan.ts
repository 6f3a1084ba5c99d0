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
  /** When its next job is due (null when Redis has none recorded). */
  next: number | null;
  /** Whether the job for `next` exists in Redis. */
  nextJobExists: boolean;
}

export type RepairReason = "next_job_missing" | "next_job_overdue";

export type ReconcileAction =
  | { type: "create"; kitchenId: number; everyMs: number }
  | { type: "update"; kitchenId: number; everyMs: number; fromEveryMs: number | null }
  | { type: "repair"; kitchenId: number; reason: RepairReason }
  | { type: "remove"; schedulerId: string };

/**
 * What makes Redis match PostgreSQL: missing schedulers created, wrong periods fixed, schedulers whose next
 * job is gone or overdue by more than one period recreated (BullMQ can lose the job while keeping the
 * scheduler), and every other scheduler in the queue removed (kitchens disabled or deleted, or ids of an
 * older scheme). Nothing when everything matches.
 */
export function planReconcile(
  desired: readonly DesiredSchedule[],
  actual: readonly ActualScheduler[],
  now: number,
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
    else if (existing.next === null || !existing.nextJobExists)
      actions.push({ type: "repair", kitchenId, reason: "next_job_missing" });
    else if (existing.next < now - everyMs)
      actions.push({ type: "repair", kitchenId, reason: "next_job_overdue" });
  }
  for (const { id } of actual) {
    if (!wanted.has(id)) actions.push({ type: "remove", schedulerId: id });
  }
  return actions;
}
