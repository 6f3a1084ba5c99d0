import { randomUUID } from "node:crypto";
import {
  type Alerting,
  isStale,
  type KitchenScheduleState,
  kitchenIdFromSchedulerId,
  type Logger,
  loadScheduleStates,
  openAlertKitchens,
  type QueueSet,
  type RedisClient,
  recordNextSyncTimes,
  type ScheduleOwner,
  sampleQueueDepths,
  staleAlertText,
} from "@occ/core";
import { type Db, repairConnectionFlags } from "@occ/db";
import { abandonedRunAgeMs, sweepAbandonedRuns } from "./abandoned-runs";
import { type ActualScheduler, leftToTheirRequest, planReconcile } from "./reconcile-plan";
import { keepAlive, RedisLock } from "./redis-lock";

export interface ReconcilerOptions {
  db: Db;
  queues: QueueSet;
  redis: RedisClient;
  prefix: string;
  /** The kitchens' schedule owner: the reconciler applies through it, as the API and the runs do. */
  schedule: ScheduleOwner;
  /** BullMQ's job lock (JOB_LOCK_MS): how long a dead worker's job takes to be handed over. */
  jobLockMs: number;
  alerting: Alerting;
  logger: Logger;
  now?: () => Date;
}

export interface ReconcileReport {
  created: number;
  updated: number;
  repaired: number;
  removed: number;
  nextSyncWritten: number;
  staleOpened: number;
  staleResolved: number;
  abandonedRuns: number;
  settingsRepaired: number;
  /** Settings rows whose has_connection disagreed with the connections table (see repairConnectionFlags). */
  connectionFlagsRepaired: number;
}

/**
 * Every scheduler with its period, its next run and whether that run's job still exists: the schedulers'
 * sorted set, then one pipeline of two reads per scheduler, straight from BullMQ's keys (`repeat` and
 * `repeat:<id>`; on a Cluster they share the queue's hash tag). BullMQ's getJobSchedulers reads each
 * scheduler's whole hash and parses its job template: 3.4 s of a 6-s steady pass at 20,000 kitchens.
 */
async function readSchedulers(queues: QueueSet, redis: RedisClient): Promise<ActualScheduler[]> {
  const queue = queues.frequent;
  const flat = await redis.zrange(queue.keys.repeat!, "0", "-1", "WITHSCORES");
  if (flat.length === 0) return [];
  const pipeline = redis.pipeline();
  for (let i = 0; i < flat.length; i += 2) {
    pipeline.hget(queue.toKey(`repeat:${flat[i]}`), "every");
    pipeline.exists(queue.toKey(`repeat:${flat[i]}:${flat[i + 1]}`));
  }
  const replies = (await pipeline.exec()) ?? [];
  const schedulers: ActualScheduler[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const every = replies[i]?.[1];
    schedulers.push({
      id: flat[i]!,
      everyMs: typeof every === "string" ? Number(every) : null,
      next: Number(flat[i + 1]),
      nextJobExists: replies[i + 1]?.[1] === 1,
    });
  }
  return schedulers;
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
    this.timer = setInterval(tick, this.options.schedule.options.minuteMs);
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
      Math.floor(schedule.options.minuteMs * 0.9),
    );
    if (!(await lock.tryAcquire())) return null;
    const held = keepAlive(
      lock,
      () => this.options.logger.warn("reconciler lock expired during a pass"),
      () => undefined,
    );
    try {
      // The fleet view's queue-depth trend: one sample per pass, taken by whichever replica holds it.
      await sampleQueueDepths(
        redis,
        prefix,
        [this.options.queues.frequent, this.options.queues.historical],
        this.now(),
      ).catch((error) => this.options.logger.warn("queue depth sample failed", { error: String(error) }));
      return await this.reconcile();
    } finally {
      held.stop();
    }
  }

  async reconcile(): Promise<ReconcileReport> {
    const { db, queues, redis, schedule, logger } = this.options;
    // Redis is read before PostgreSQL: the API writes PostgreSQL before Redis, so this order never
    // mistakes a just-saved setting for drift and reverts it.
    const actual = await readSchedulers(queues, redis);
    const states = await loadScheduleStates(db);
    const desired = states.flatMap((state) => {
      const wanted = schedule.desired(state);
      return wanted.on ? [{ kitchenId: state.kitchenId, everyMs: wanted.everyMs }] : [];
    });
    const now = this.now().getTime();
    const justConnected = leftToTheirRequest(states, now, schedule.options.minuteMs);
    const actions = planReconcile(desired, actual, now).filter(
      (action) => !(action.type === "create" && justConnected.has(action.kitchenId)),
    );
    // In batches (ScheduleOwner.applyMany): after Redis lost its data every kitchen needs a scheduler, and
    // the sooner they all exist, the less the overdue ones bunch up. The owner re-reads the kitchens under
    // their locks, so a save racing this pass is never reverted, and records the new next runs itself.
    const apply: number[] = [];
    const repair: number[] = [];
    const foreign: string[] = [];
    for (const action of actions) {
      if (action.type === "remove") {
        const kitchenId = kitchenIdFromSchedulerId(action.schedulerId);
        if (kitchenId === null) foreign.push(action.schedulerId);
        else apply.push(kitchenId);
      } else if (action.type === "repair") {
        logger.warn("kitchen scheduler repaired", { kitchen_id: action.kitchenId, reason: action.reason });
        repair.push(action.kitchenId);
      } else apply.push(action.kitchenId);
    }
    await schedule.applyMany(apply);
    await schedule.applyMany(repair, { replace: true });
    await Promise.all(foreign.map((id) => queues.frequent.removeJobScheduler(id)));
    const acted = new Set([...apply, ...repair]);
    const report: ReconcileReport = {
      created: actions.filter((a) => a.type === "create").length,
      updated: actions.filter((a) => a.type === "update").length,
      repaired: actions.filter((a) => a.type === "repair").length,
      removed: actions.filter((a) => a.type === "remove").length,
      nextSyncWritten: await this.writeNextRuns(
        states.filter((state) => !acted.has(state.kitchenId)),
        actual,
      ),
      ...(await this.checkStaleness(states)),
      ...(await this.sweepAbandonedRuns()),
      connectionFlagsRepaired: await repairConnectionFlags(db),
    };
    const changed = actions.length + report.staleOpened + report.staleResolved;
    if (changed + report.abandonedRuns + report.settingsRepaired + report.connectionFlagsRepaired > 0)
      logger.info("schedules reconciled", { ...report });
    return report;
  }

  /** next_sync_at of the kitchens this pass left alone, from the schedulers as read. */
  private async writeNextRuns(states: KitchenScheduleState[], actual: ActualScheduler[]): Promise<number> {
    const nextByKitchen = new Map<number, number | null>();
    for (const scheduler of actual) {
      const kitchenId = kitchenIdFromSchedulerId(scheduler.id);
      if (kitchenId !== null) nextByKitchen.set(kitchenId, scheduler.next);
    }
    return recordNextSyncTimes(this.options.db, states, nextByKitchen);
  }

  private async sweepAbandonedRuns(): Promise<{ abandonedRuns: number; settingsRepaired: number }> {
    const { db, redis, prefix, schedule, jobLockMs } = this.options;
    const { abandoned, settingsRepaired } = await sweepAbandonedRuns({
      db,
      redis,
      prefix,
      olderThanMs: abandonedRunAgeMs({ jobLockMs, minuteMs: schedule.options.minuteMs }),
      now: this.now(),
    });
    return { abandonedRuns: abandoned, settingsRepaired };
  }

  private async checkStaleness(
    rows: KitchenScheduleState[],
  ): Promise<{ staleOpened: number; staleResolved: number }> {
    const { db, schedule, alerting } = this.options;
    const now = this.now();
    const alreadyOpen = new Set(await openAlertKitchens(db, "stale"));
    const stale = rows.filter((row) =>
      isStale({ ...row, since: row.createdAt }, schedule.options.minuteMs, now),
    );
    const staleIds = new Set(stale.map((row) => row.kitchenId));
    // Set-wise, with one summary notification: after an outage thousands may turn stale in one pass.
    const staleOpened = await alerting.openMany(
      "stale",
      stale
        .filter((row) => !alreadyOpen.has(row.kitchenId))
        .map((row) => ({
          kitchenId: row.kitchenId,
          message: staleAlertText({
            syncIntervalMinutes: row.syncIntervalMinutes,
            timeZone: row.timezone,
            lastSuccessAt: row.lastSuccessAt,
          }),
          details: { sync_interval_minutes: row.syncIntervalMinutes, last_success_at: row.lastSuccessAt },
        })),
    );
    const fresh = [...alreadyOpen].filter((kitchenId) => !staleIds.has(kitchenId));
    await alerting.resolve(fresh, "stale");
    return { staleOpened, staleResolved: fresh.length };
  }
}
