import {
  type Db,
  kitchens,
  lockKitchenForTransaction,
  lockKitchensForTransaction,
  newbookConnections,
  newbookFrequentSyncSettings as settings,
  syncRuns,
  type Tx,
} from "@occ/db";
import { eq, inArray, sql } from "drizzle-orm";
import { schedulerIdFor, syncJobName } from "../queue/names";
import type { QueueSet } from "../queue/queues";
import { readKitchenSchedule, type ScheduleOptions, upsertKitchenScheduler } from "../queue/schedule";
import { type DesiredSchedule, desiredSchedule, type KitchenScheduleState } from "./desired";

/**
 * The one owner of every kitchen's schedule: load the state from PostgreSQL, derive the desired schedule,
 * apply it to the BullMQ job scheduler, and record the scheduler's real next run as `next_sync_at`. The API
 * calls it after a save, the worker after each run, the reconciler for whatever drifted.
 */
export interface ScheduleOwnerDeps {
  db: Db;
  queues: QueueSet;
  options: ScheduleOptions;
  now?: () => Date;
  /** Wraps each Redis call (the API bounds them so a request never hangs on an unreachable Redis). */
  redisCall?: <T>(call: Promise<T>) => Promise<T>;
}

export interface AppliedSchedule {
  desired: DesiredSchedule;
  /** The scheduler's next run as Redis holds it after the change; null when the kitchen has no schedule. */
  nextSyncAt: Date | null;
  /** The kitchen's zone and last success, for texts about this schedule (alerts). */
  timezone: string;
  lastSuccessAt: Date | null;
}

/**
 * A kitchen's schedule state with its name, which its jobs carry (see syncJobName), and when its
 * connection last proved to work (the reconciler leaves a scheduler of a connection saved moments ago to
 * the request that saved it).
 */
export type KitchenScheduleRow = KitchenScheduleState & {
  kitchenName: string;
  connectionVerifiedAt: Date | null;
};

/** Every kitchen's state, or only those of `kitchenIds` (one kitchen or many). */
export async function loadScheduleStates(
  db: Db | Tx,
  kitchenIds?: number | readonly number[],
): Promise<KitchenScheduleRow[]> {
  const query = db
    .select({
      kitchenId: settings.kitchenId,
      kitchenName: kitchens.name,
      timezone: kitchens.timezone,
      isEnabled: settings.isEnabled,
      hasConnection: sql<boolean>`${newbookConnections.kitchenId} is not null`,
      connectionVerified: sql<boolean>`${newbookConnections.verifiedAt} is not null`,
      connectionVerifiedAt: newbookConnections.verifiedAt,
      syncIntervalMinutes: settings.syncIntervalMinutes,
      busyHours: settings.busyHours,
      busyIntervalMinutes: settings.busyIntervalMinutes,
      consecutiveFailures: settings.consecutiveFailures,
      lastErrorCode: settings.lastErrorCode,
      // A "Sync now" already queued or running counts as the last sync: a scheduler created meanwhile (the
      // reconciler noticing a connection just saved, while the save's own sync waits in the queue) starts
      // an interval after it instead of beside it. Scheduled runs are not counted: their scheduler exists
      // and already holds the next due time, which a repair must keep.
      lastSyncAt: sql`greatest(${settings.lastSyncAt}, (select max(r.queued_at) from ${syncRuns} r
        where r.kitchen_id = ${settings.kitchenId} and r.status in ('queued', 'running')
          and r.trigger = 'sync_now'))`.mapWith(settings.lastSyncAt),
      lastSuccessAt: settings.lastSuccessAt,
      nextSyncAt: settings.nextSyncAt,
      createdAt: settings.createdAt,
    })
    .from(settings)
    .innerJoin(kitchens, eq(kitchens.id, settings.kitchenId))
    .leftJoin(newbookConnections, eq(newbookConnections.kitchenId, settings.kitchenId));
  if (kitchenIds === undefined) return query;
  return typeof kitchenIds === "number"
    ? query.where(eq(settings.kitchenId, kitchenIds))
    : query.where(inArray(settings.kitchenId, [...kitchenIds]));
}

const NEXT_SYNC_BATCH = 1_000;
/**
 * Kitchens per transaction in ScheduleOwner.applyMany: large enough that a pass over 20,000 kitchens is a
 * few dozen round trips, small enough that the advisory locks it holds stay well inside PostgreSQL's
 * shared lock table (max_locks_per_transaction x connections) and a save waits at most one chunk.
 */
const APPLY_CHUNK = 500;

/** Writes next_sync_at for the kitchens whose stored value differs (one statement per batch). */
export async function recordNextSyncTimes(
  db: Db | Tx,
  states: readonly KitchenScheduleState[],
  nextByKitchen: ReadonlyMap<number, number | null>,
): Promise<number> {
  const changed = states
    .map((state) => ({ kitchenId: state.kitchenId, next: nextByKitchen.get(state.kitchenId) ?? null, state }))
    .filter(({ next, state }) => next !== (state.nextSyncAt?.getTime() ?? null));
  for (let i = 0; i < changed.length; i += NEXT_SYNC_BATCH) {
    const values = changed
      .slice(i, i + NEXT_SYNC_BATCH)
      .map(
        ({ kitchenId, next }) =>
          sql`(${kitchenId}::int, ${next === null ? null : new Date(next).toISOString()}::timestamptz)`,
      );
    await db.execute(sql`
      update ${settings} set next_sync_at = v.next
      from (values ${sql.join(values, sql`, `)}) as v(kitchen_id, next)
      where ${settings.kitchenId} = v.kitchen_id`);
  }
  return changed.length;
}

export class ScheduleOwner {
  private readonly now: () => Date;
  private readonly redisCall: <T>(call: Promise<T>) => Promise<T>;

  constructor(private readonly deps: ScheduleOwnerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.redisCall = deps.redisCall ?? ((call) => call);
  }

  get options(): ScheduleOptions {
    return this.deps.options;
  }

  desired(state: KitchenScheduleState): DesiredSchedule {
    return desiredSchedule(state, this.deps.options, this.now());
  }

  /**
   * Brings one kitchen's scheduler in line with PostgreSQL and records its next run. Under a per-kitchen
   * advisory lock, so two processes applying at once cannot leave Redis holding the older state.
   * `replace` recreates an existing scheduler (the reconciler's repair of a lost or stuck next job); a
   * scheduler that already matches is otherwise left alone, keeping its pending job. `syncStartedAt`: a
   * sync was just started by hand (e.g. after a connection save), so a scheduler created now starts one
   * interval after it instead of running a second sync at once.
   */
  async apply(
    kitchenId: number,
    opts: { replace?: boolean; syncStartedAt?: Date } = {},
  ): Promise<AppliedSchedule> {
    return this.deps.db.transaction(async (tx) => {
      await lockKitchenForTransaction(tx, "schedule", kitchenId);
      const [state] = await loadScheduleStates(tx, kitchenId);
      const { desired, next } = await this.applyToRedis(kitchenId, state, opts);
      if (!state) return { desired, nextSyncAt: null, timezone: "UTC", lastSuccessAt: null };
      await recordNextSyncTimes(tx, [state], new Map([[kitchenId, next]]));
      return {
        desired,
        nextSyncAt: next === null ? null : new Date(next),
        timezone: state.timezone,
        lastSuccessAt: state.lastSuccessAt,
      };
    });
  }

  /**
   * `apply` for many kitchens at once (the reconciler's pass after Redis lost its data, when every kitchen
   * needs its scheduler back). Per chunk: one transaction holding the chunk's kitchen locks, one read of
   * their states, their Redis calls sent together (ioredis pipelines concurrent commands on the queue's
   * connection; on a Cluster a queue's keys share one hash tag, so they all go to one node), and one
   * write of their next runs. Returns how many kitchens it applied.
   */
  async applyMany(kitchenIds: readonly number[], opts: { replace?: boolean } = {}): Promise<number> {
    // Ascending, as lockKitchensForTransaction takes them, so the chunks never overlap.
    const ids = [...new Set(kitchenIds)].sort((a, b) => a - b);
    for (let i = 0; i < ids.length; i += APPLY_CHUNK) {
      const chunk = ids.slice(i, i + APPLY_CHUNK);
      await this.deps.db.transaction(async (tx) => {
        await lockKitchensForTransaction(tx, "schedule", chunk);
        const states = new Map(
          (await loadScheduleStates(tx, chunk)).map((state) => [state.kitchenId, state]),
        );
        const applied = await Promise.all(
          chunk.map((kitchenId) => this.applyToRedis(kitchenId, states.get(kitchenId), opts)),
        );
        await recordNextSyncTimes(
          tx,
          [...states.values()],
          new Map(chunk.map((kitchenId, j) => [kitchenId, applied[j]!.next])),
        );
      });
    }
    return ids.length;
  }

  /**
   * The Redis side of `apply`, with the kitchen's lock held and its state just read (undefined when the
   * kitchen or its settings are gone): the desired schedule and the scheduler's next run afterwards.
   */
  private async applyToRedis(
    kitchenId: number,
    state: KitchenScheduleRow | undefined,
    opts: { replace?: boolean; syncStartedAt?: Date },
  ): Promise<{ desired: DesiredSchedule; next: number | null }> {
    const { queues } = this.deps;
    if (!state) {
      // The kitchen (or its settings) is gone: nothing may stay scheduled for it.
      await this.redisCall(queues.frequent.removeJobScheduler(schedulerIdFor(kitchenId)));
      return { desired: { on: false, reason: "disabled" }, next: null };
    }
    const computed = this.desired(state);
    const desired =
      computed.on && opts.syncStartedAt
        ? {
            ...computed,
            startAt: Math.max(computed.startAt, opts.syncStartedAt.getTime() + computed.everyMs),
          }
        : computed;
    if (!desired.on) {
      await this.redisCall(queues.frequent.removeJobScheduler(schedulerIdFor(kitchenId)));
      return { desired, next: null };
    }
    const current = await this.redisCall(readKitchenSchedule(queues, kitchenId));
    // A renamed kitchen's scheduler is upserted with the same period: BullMQ keeps its next run and
    // only the job name changes.
    if (
      !opts.replace &&
      current?.everyMs === desired.everyMs &&
      current.jobName === syncJobName(kitchenId, state.kitchenName)
    )
      return { desired, next: current.next };
    await this.redisCall(
      upsertKitchenScheduler(
        queues,
        kitchenId,
        {
          everyMs: desired.everyMs,
          startAt: desired.startAt,
          replace: opts.replace,
          kitchenName: state.kitchenName,
        },
        this.deps.options,
      ),
    );
    return { desired, next: (await this.redisCall(readKitchenSchedule(queues, kitchenId)))?.next ?? null };
  }
}
