import { randomUUID } from "node:crypto";
import {
  type Alerting,
  isStale,
  kitchenIdFromSchedulerId,
  type Logger,
  openAlertKitchens,
  type QueueSet,
  readKitchenSchedule,
  type ScheduleOptions,
} from "@occ/core";
import type { Db } from "@occ/db";
import type { Redis } from "ioredis";
import { abandonedRunAgeMs, sweepAbandonedRuns } from "./abandoned-runs";
import { type ActualScheduler, planReconcile, type ReconcileAction } from "./reconcile-plan";
import { keepAlive, RedisLock } from "./redis-lock";
import {
  applyRow,
  desiredEveryMs,
  type KitchenScheduleRow,
  loadScheduleRows,
  wantsSchedule,
  writeNextSyncTimes,
} from "./schedule-state";

export interface ReconcilerOptions {
  db: Db;
  queues: QueueSet;
  redis: Redis;
  prefix: string;
  schedule: ScheduleOptions;
  /** BullMQ's job lock (JOB_LOCK_MS): how long a dead worker's job takes to be handed over. */
  jobLockMs: number;
  alerting: Alerting;
  logger: Logger;
  now?: () => Date;
}

export interface ReconcileReport {
  created: number;
  updated: number;
  removed: number;
  nextSyncWritten: number;
  staleOpened: number;
  staleResolved: number;
  abandonedRuns: number;
  settingsRepaired: number;
}

const RECONCILE_CONCURRENCY = 16;

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

async function readSchedulers(queues: QueueSet): Promise<Array<ActualScheduler & { next: number | null }>> {
  const schedulers = await queues.frequent.getJobSchedulers(0, -1);
  return schedulers.map((s) => ({
    id: s.key,
    everyMs: s.every ? Number(s.every) : null,
    next: s.next ?? null,
  }));
}

/**
 * Keeps Redis matching PostgreSQL, in every worker: at start and once per (scaled) minute. A lock
 * with expiry lets one replica act per period; it is not released after a pass, so the other
 * replicas skip that period instead of repeating the work.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly token = randomUUID();
  private readonly now: () => Date;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    const tick = () => {
      if (this.running) return;
      this.running = this.tick()
        .then(
          () => undefined,
          (error) => {
            this.options.logger.error("reconcile failed", { error: String(error) });
          },
        )
        .finally(() => {
          this.running = null;
        });
    };
    tick();
    this.timer = setInterval(tick, this.options.schedule.minuteMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Reconciles if no other replica has this period; returns null when it did not act. */
  async tick(): Promise<ReconcileReport | null> {
    const { redis, prefix, schedule } = this.options;
    const lock = new RedisLock(
      redis,
      `${prefix}:reconciler-lock`,
      this.token,
      Math.floor(schedule.minuteMs * 0.9),
    );
    if (!(await lock.tryAcquire())) return null;
    const held = keepAlive(
      lock,
      () => this.options.logger.warn("reconciler lock expired during a pass"),
      () => undefined,
    );
    try {
      return await this.reconcile();
    } finally {
      held.stop();
    }
  }

  async reconcile(): Promise<ReconcileReport> {
    const { db, queues, schedule, logger } = this.options;
    // Redis is read before PostgreSQL: the API writes PostgreSQL before Redis, so this order never
    // mistakes a just-saved setting for drift and reverts it.
    const actual = await readSchedulers(queues);
    const rows = await loadScheduleRows(db);
    const desired = rows.flatMap((row) => {
      const everyMs = desiredEveryMs(row, schedule);
      return everyMs === null ? [] : [{ kitchenId: row.kitchenId, everyMs }];
    });
    const actions = planReconcile(desired, actual);
    const rowByKitchen = new Map(rows.map((row) => [row.kitchenId, row]));
    // In parallel (bounded): after Redis lost its data every kitchen needs a scheduler, and the
    // sooner they all exist, the less the overdue ones bunch up.
    await forEachLimited(actions, RECONCILE_CONCURRENCY, (action) =>
      action.type === "remove"
        ? queues.frequent.removeJobScheduler(action.schedulerId)
        : applyRow(queues, rowByKitchen.get(action.kitchenId)!, schedule),
    );
    const report: ReconcileReport = {
      created: actions.filter((a) => a.type === "create").length,
      updated: actions.filter((a) => a.type === "update").length,
      removed: actions.filter((a) => a.type === "remove").length,
      nextSyncWritten: await this.writeNextRuns(rows, actual, actions),
      ...(await this.checkStaleness(rows)),
      ...(await this.sweepAbandonedRuns()),
    };
    const changed = actions.length + report.staleOpened + report.staleResolved;
    if (changed + report.abandonedRuns + report.settingsRepaired > 0)
      logger.info("schedules reconciled", { ...report });
    return report;
  }

  /** next_sync_at from the schedulers as read, re-reading only the ones this pass changed. */
  private async writeNextRuns(
    rows: KitchenScheduleRow[],
    actual: Awaited<ReturnType<typeof readSchedulers>>,
    actions: ReconcileAction[],
  ): Promise<number> {
    const nextByKitchen = new Map<number, number | null>();
    for (const scheduler of actual) {
      const kitchenId = kitchenIdFromSchedulerId(scheduler.id);
      if (kitchenId !== null) nextByKitchen.set(kitchenId, scheduler.next);
    }
    await forEachLimited(actions, RECONCILE_CONCURRENCY, async (action) => {
      if (action.type === "remove") return;
      const current = await readKitchenSchedule(this.options.queues, action.kitchenId);
      nextByKitchen.set(action.kitchenId, current?.next ?? null);
    });
    return writeNextSyncTimes(this.options.db, rows, nextByKitchen);
  }

  private async sweepAbandonedRuns(): Promise<{ abandonedRuns: number; settingsRepaired: number }> {
    const { db, redis, prefix, schedule, jobLockMs } = this.options;
    const { abandoned, settingsRepaired } = await sweepAbandonedRuns({
      db,
      redis,
      prefix,
      olderThanMs: abandonedRunAgeMs({ jobLockMs, minuteMs: schedule.minuteMs }),
      now: this.now(),
    });
    return { abandonedRuns: abandoned, settingsRepaired };
  }

  private async checkStaleness(
    rows: KitchenScheduleRow[],
  ): Promise<{ staleOpened: number; staleResolved: number }> {
    const { db, schedule, alerting } = this.options;
    const now = this.now();
    const alreadyOpen = new Set(await openAlertKitchens(db, "stale"));
    const stale = rows.filter(
      (row) => wantsSchedule(row) && isStale({ ...row, since: row.createdAt }, schedule.minuteMs, now),
    );
    const staleIds = new Set(stale.map((row) => row.kitchenId));
    // Set-wise, with one summary notification: after an outage thousands may turn stale in one pass.
    const staleOpened = await alerting.openMany(
      "stale",
      stale
        .filter((row) => !alreadyOpen.has(row.kitchenId))
        .map((row) => ({
          kitchenId: row.kitchenId,
          message: `No successful sync for more than twice the ${row.syncIntervalMinutes}-minute interval (last success: ${row.lastSuccessAt?.toISOString() ?? "never"})`,
          details: { sync_interval_minutes: row.syncIntervalMinutes, last_success_at: row.lastSuccessAt },
        })),
    );
    const fresh = [...alreadyOpen].filter((kitchenId) => !staleIds.has(kitchenId));
    await alerting.resolve(fresh, "stale");
    return { staleOpened, staleResolved: fresh.length };
  }
}
