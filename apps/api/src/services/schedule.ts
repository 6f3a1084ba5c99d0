import type { Logger, ScheduleOwner } from "@occ/core";

export interface ScheduleOutcome {
  schedule_pending: boolean;
  message?: string;
}

export const SCHEDULE_PENDING_MESSAGE =
  "Settings saved. The queue is unreachable right now, so the schedule change is pending: the worker's " +
  "reconciler applies it automatically once the queue is back (within about a minute).";

/**
 * Applies a kitchen's schedule through core's owner right after a save (which also records the
 * scheduler's real next run). PostgreSQL is the source of truth, so a Redis failure is reported as
 * pending (the reconciler repairs it) and never undoes the saved settings.
 */
export class KitchenScheduler {
  constructor(
    readonly owner: ScheduleOwner,
    private readonly logger: Logger,
  ) {}

  async applyAfterSave(kitchenId: number, opts: { syncStartedAt?: Date } = {}): Promise<ScheduleOutcome> {
    try {
      await this.owner.apply(kitchenId, opts);
      return { schedule_pending: false };
    } catch (error) {
      this.logger.warn("kitchen schedule not applied; the reconciler will retry", {
        kitchen_id: kitchenId,
        error,
      });
      return { schedule_pending: true, message: SCHEDULE_PENDING_MESSAGE };
    }
  }
}
