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

/** What leftToTheirRequest reads of a kitchen's state (times as PostgreSQL holds them). */
export interface ConnectionFreshness {
  kitchenId: number;
  connectionVerifiedAt: Date | null;
  /** The last sync, counting a "Sync now" already queued (loadScheduleStates). */
  lastSyncAt: Date | null;
}

/**
 * Kitchens whose connection was verified less than `graceMs` ago and that have not synced since: the API
 * request that saved (or tested) it is still between that commit and queueing its own sync, after which
 * it creates the scheduler itself. A scheduler created here in that gap would be due at once and start a
 * second sync beside the request's, which then finds the kitchen busy and is skipped (the manager reads
 * "another sync was running" instead of "Connected — synced"). The reconciler does not create their
 * schedulers; a request that died in the gap is made good on a pass after the grace.
 */
export function leftToTheirRequest(
  states: readonly ConnectionFreshness[],
  now: number,
  graceMs: number,
): Set<number> {
  const left = new Set<number>();
  for (const { kitchenId, connectionVerifiedAt, lastSyncAt } of states) {
    if (connectionVerifiedAt === null || now - connectionVerifiedAt.getTime() >= graceMs) continue;
    if (lastSyncAt === null || lastSyncAt < connectionVerifiedAt) left.add(kitchenId);
  }
  return left;
}
