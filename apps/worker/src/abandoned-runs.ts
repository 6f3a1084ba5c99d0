import { getMany, kitchenLockKey, type RedisClient } from "@occ/core";
import { type Db, newbookFrequentSyncSettings as settings, syncRuns } from "@occ/db";
import { and, desc, eq, inArray, lt, ne, notExists, sql } from "drizzle-orm";

export const ABANDONED_ERROR_CODE = "abandoned";
export const ABANDONED_ERROR_MESSAGE = "The worker running this sync stopped before recording its outcome";

/**
 * How long a run may stay "running" before the sweep may call it abandoned: far beyond a BullMQ job
 * lock (a crashed worker's job is taken over within one) and several schedule minutes, so only a run
 * whose outcome could never be written qualifies. A live run is also protected by its kitchen lock.
 */
export function abandonedRunAgeMs(options: { jobLockMs: number; minuteMs: number }): number {
  return Math.max(10 * options.jobLockMs, 10 * options.minuteMs);
}

export interface AbandonedRunSweepOptions {
  db: Db;
  redis: RedisClient;
  prefix: string;
  olderThanMs: number;
  now: Date;
}

export interface AbandonedRunSweepReport {
  abandoned: number;
  settingsRepaired: number;
}

/** Kitchens whose sync lock is held right now, i.e. whose run is alive somewhere. */
async function lockedKitchens(
  redis: RedisClient,
  prefix: string,
  kitchenIds: number[],
): Promise<Set<number>> {
  if (kitchenIds.length === 0) return new Set();
  const values = await getMany(
    redis,
    kitchenIds.map((id) => kitchenLockKey(prefix, id)),
  );
  return new Set(kitchenIds.filter((_, index) => values[index] !== null));
}

const startedRunningBefore = (cutoff: Date) =>
  and(eq(syncRuns.status, "running"), lt(syncRuns.startedAt, cutoff));

/**
 * The sweep's candidates. Read every minute from a table that gains a row per kitchen every few
 * minutes, so it is answered from the partial index of runs in flight (sync_runs_in_flight_idx).
 */
export function oldRunningRuns(db: Db, cutoff: Date) {
  return db
    .select({ id: syncRuns.id, kitchenId: syncRuns.kitchenId })
    .from(syncRuns)
    .where(startedRunningBefore(cutoff));
}

/**
 * Fails "running" runs whose worker died (or lost PostgreSQL) before recording an outcome, then
 * repairs settings rows left "running" by them or by a run skipped after losing its lock. Abandoned
 * runs say nothing about Newbook, so consecutive_failures is left alone.
 */
export async function sweepAbandonedRuns(
  options: AbandonedRunSweepOptions,
): Promise<AbandonedRunSweepReport> {
  const { db, redis, prefix, now } = options;
  const cutoff = new Date(now.getTime() - options.olderThanMs);
  const isOldRunning = startedRunningBefore(cutoff);
  const candidates = await oldRunningRuns(db, cutoff);
  const locked = await lockedKitchens(redis, prefix, [...new Set(candidates.map((run) => run.kitchenId))]);
  const abandonedIds = candidates.filter((run) => !locked.has(run.kitchenId)).map((run) => run.id);

  let abandoned = 0;
  if (abandonedIds.length > 0) {
    // The age test is repeated: a run resumed since the select has a fresh started_at and is live.
    const rows = await db
      .update(syncRuns)
      .set({
        status: "failed",
        finishedAt: now,
        errorCode: ABANDONED_ERROR_CODE,
        errorMessage: ABANDONED_ERROR_MESSAGE,
      })
      .where(and(inArray(syncRuns.id, abandonedIds), isOldRunning))
      .returning({ id: syncRuns.id });
    abandoned = rows.length;
  }
  return { abandoned, settingsRepaired: await repairRunningSettings(db, now) };
}

/** Historical backfills never drive the settings row, so only next-days runs count here. */
const tracksSettings = ne(syncRuns.kind, "historical");

/** A settings row "running" with no next-days run running or queued takes its latest finished run's status. */
async function repairRunningSettings(db: Db, now: Date): Promise<number> {
  const latestFinished = db
    .select({ status: syncRuns.status })
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.kitchenId, settings.kitchenId),
        tracksSettings,
        inArray(syncRuns.status, ["success", "failed", "skipped"]),
      ),
    )
    .orderBy(desc(sql`coalesce(${syncRuns.finishedAt}, ${syncRuns.startedAt}, ${syncRuns.queuedAt})`))
    .limit(1);
  const inFlight = db
    .select({ one: sql`1` })
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.kitchenId, settings.kitchenId),
        tracksSettings,
        inArray(syncRuns.status, ["running", "queued"]),
      ),
    );
  const rows = await db
    .update(settings)
    .set({ lastSyncStatus: sql`(${latestFinished})`, updatedAt: now })
    .where(and(eq(settings.lastSyncStatus, "running"), notExists(inFlight)))
    .returning({ kitchenId: settings.kitchenId });
  return rows.length;
}
