import { applyKitchenSchedule, type Logger, type QueueSet, type ScheduleOptions } from "@occ/core";
import type { Db } from "@occ/db";
import { newbookConnections, newbookFrequentSyncSettings } from "@occ/db";
import { eq, sql } from "drizzle-orm";
import { withTimeout } from "./with-timeout";

export interface ScheduleOutcome {
  schedule_pending: boolean;
  message?: string;
}

export const SCHEDULE_PENDING_MESSAGE =
  "Settings saved. The queue is unreachable right now, so the schedule change is pending: the worker's " +
  "reconciler applies it automatically once the queue is back (within about a minute).";

// Arbitrary constant: the first half of the advisory lock key that serialises schedule updates per kitchen.
const SCHEDULE_LOCK_SPACE = 872_341;

/**
 * Makes the kitchen's BullMQ job scheduler match what PostgreSQL says now: present when sync is enabled
 * and a Newbook connection exists, absent otherwise. PostgreSQL is the source of truth, so a Redis
 * failure is reported as pending (the reconciler repairs it) and never undoes the saved settings.
 */
export class KitchenScheduler {
  constructor(
    private readonly db: Db,
    private readonly queues: QueueSet,
    private readonly options: ScheduleOptions,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  async apply(kitchenId: number): Promise<ScheduleOutcome> {
    try {
      // Read-and-apply under a per-kitchen lock, so two replicas saving at once cannot leave Redis
      // holding the older of the two settings.
      await this.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${SCHEDULE_LOCK_SPACE}, ${kitchenId})`);
        const [row] = await tx
          .select({
            isEnabled: newbookFrequentSyncSettings.isEnabled,
            syncIntervalMinutes: newbookFrequentSyncSettings.syncIntervalMinutes,
            consecutiveFailures: newbookFrequentSyncSettings.consecutiveFailures,
            lastSyncAt: newbookFrequentSyncSettings.lastSyncAt,
            connected: sql<boolean>`${newbookConnections.kitchenId} is not null`,
          })
          .from(newbookFrequentSyncSettings)
          .leftJoin(
            newbookConnections,
            eq(newbookConnections.kitchenId, newbookFrequentSyncSettings.kitchenId),
          )
          .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
        const settings = {
          kitchenId,
          isEnabled: Boolean(row?.isEnabled && row.connected),
          syncIntervalMinutes: row?.syncIntervalMinutes ?? 15,
          consecutiveFailures: row?.consecutiveFailures ?? 0,
          // A changed interval counts from the last run rather than firing an extra sync at once.
          lastRunAt: row?.lastSyncAt ?? null,
        };
        await withTimeout(
          applyKitchenSchedule(this.queues, settings, this.options),
          this.timeoutMs,
          "Redis (job scheduler)",
        );
      });
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
