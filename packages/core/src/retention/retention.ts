import { alerts, bookings, type Db, dailyOccupancy, kitchens, syncRunDaily, syncRuns } from "@occ/db";
import { type SQL, sql } from "drizzle-orm";
import type { Config } from "../config";

/**
 * Bounded storage: what the scheduled retention job removes. Each step works in batches of short
 * transactions (a batch is all or nothing), so it never holds long locks against running syncs and a
 * crash part-way loses nothing: the next run carries on where this one stopped.
 */
export interface RetentionPolicy {
  /** Personal data of bookings departed more than this many days ago (kitchen-local) is purged. */
  guestDataDays: number;
  /** Bookings departed more than this many days ago are deleted. */
  bookingDays: number;
  /** Finished runs queued before the UTC day this many days back are rolled up and deleted. */
  syncRunDays: number;
  /** Resolved alerts resolved more than this many days ago are deleted. */
  alertDays: number;
  batchSize?: number;
}

export function retentionPolicyFromConfig(
  config: Pick<
    Config,
    | "GUEST_DATA_RETENTION_DAYS"
    | "BOOKING_RETENTION_DAYS"
    | "SYNC_RUN_RETENTION_DAYS"
    | "ALERT_RETENTION_DAYS"
  >,
): RetentionPolicy {
  return {
    guestDataDays: config.GUEST_DATA_RETENTION_DAYS,
    bookingDays: config.BOOKING_RETENTION_DAYS,
    syncRunDays: config.SYNC_RUN_RETENTION_DAYS,
    alertDays: config.ALERT_RETENTION_DAYS,
  };
}

export interface RetentionCounts {
  guestDataPurged: number;
  roomNightsScrubbed: number;
  bookingsDeleted: number;
  syncRunsRolledUp: number;
  alertsDeleted: number;
}

export interface RetentionResult extends RetentionCounts {
  /** Milliseconds each step took, by the count it produced. */
  stepMs: Record<keyof RetentionCounts, number>;
}

const DEFAULT_BATCH = 10_000;
const DAY_MS = 86_400_000;

/** node-postgres and PGlite both answer with `rows`. */
function rowCount(result: unknown): number {
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? rows.length : 0;
}

/** Runs `step` until a batch comes back short; returns the total. */
async function inBatches(batchSize: number, step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await step();
    total += done;
    if (done < batchSize) return total;
  }
}

/** The kitchen's local date `days` days before `now`, as SQL (the kitchen row is `k`). */
const localCutoff = (now: Date, days: number) =>
  sql`((${now.toISOString()}::timestamptz at time zone k.timezone)::date - ${days}::int)`;

/**
 * An upper bound of every kitchen's local cutoff that an index can use: no zone is more than a day ahead
 * of UTC, so a date before some kitchen's cutoff is before this one.
 */
const anyCutoff = (now: Date, days: number) =>
  sql`(${now.toISOString().slice(0, 10)}::date + 1 - ${days}::int)`;

/**
 * Each batch names its rows by physical address (ctid, a TID scan) from an index walk over only the rows
 * still to do, so a batch costs its own rows, never a pass over the table. A row a sync rewrote meanwhile
 * has moved and is simply left for the next pass.
 */
const batchOf = (select: SQL) => sql`ctid = any(array(${select}))`;

/**
 * Names, dietary needs, VIP flags, group names and notes of bookings that departed before the cutoff; the
 * counts (rooms, adults, meals) stay, they are not personal. Rows written again by a sync lose their
 * purge mark (see persist.ts) and are purged again on the next run.
 */
async function purgeGuestData(db: Db, now: Date, days: number, batchSize: number): Promise<number> {
  return inBatches(batchSize, async () =>
    rowCount(
      await db.execute(sql`
        update ${bookings} set guest_name = null, group_name = null, guests = '[]'::jsonb,
          kitchen_notes = '[]'::jsonb, personal_data_purged_at = ${now.toISOString()}::timestamptz
        where ${batchOf(sql`
          select b.ctid from ${bookings} b join ${kitchens} k on k.id = b.kitchen_id
          where b.personal_data_purged_at is null and b.departure_date < ${anyCutoff(now, days)}
            and b.departure_date < ${localCutoff(now, days)}
          limit ${batchSize}`)}
        returning 1`),
    ),
  );
}

/**
 * The residents view's per-night copy of guest names (daily_occupancy.room_breakdown) for nights before
 * the cutoff: a night before it belongs to a stay that departed at the latest on the cutoff day.
 */
async function scrubRoomNights(db: Db, now: Date, days: number, batchSize: number): Promise<number> {
  return inBatches(batchSize, async () =>
    rowCount(
      await db.execute(sql`
        update ${dailyOccupancy} set room_breakdown = (
          select coalesce(jsonb_agg(jsonb_set(n, '{guestName}', 'null'::jsonb)), '[]'::jsonb)
          from jsonb_array_elements(${dailyOccupancy.roomBreakdown}) n)
        where ${batchOf(sql`
          select d.ctid from ${dailyOccupancy} d join ${kitchens} k on k.id = d.kitchen_id
          where jsonb_path_exists(d.room_breakdown, '$[*] ? (@.guestName != null)')
            and d.date < ${anyCutoff(now, days)} and d.date < ${localCutoff(now, days)}
          limit ${batchSize}`)}
        returning 1`),
    ),
  );
}

async function deleteOldBookings(db: Db, now: Date, days: number, batchSize: number): Promise<number> {
  return inBatches(batchSize, async () =>
    rowCount(
      await db.execute(sql`
        delete from ${bookings} where ${batchOf(sql`
          select b.ctid from ${bookings} b join ${kitchens} k on k.id = b.kitchen_id
          where b.departure_date < ${anyCutoff(now, days)} and b.departure_date < ${localCutoff(now, days)}
          limit ${batchSize}`)}
        returning 1`),
    ),
  );
}

/**
 * Kitchens whose runs one roll-up batch takes: about a day of runs each at a 5-minute interval (288) fills
 * a default batch. A batch adds to one aggregate row per kitchen, day and kind; a batch drawn from the
 * whole fleet (runs in time order) would update every kitchen's row once per batch, and each update leaves
 * a dead row behind: bench:retention's 5,000 kitchens left sync_run_daily at 10 KB per row.
 */
const KITCHENS_PER_ROLL_UP = 32;

/**
 * Deletes finished runs queued before the cutoff (a whole UTC day) and adds them to their day's aggregate
 * in the same statement, so a run is either still in sync_runs or counted in sync_run_daily, never both or
 * neither. Queued or running runs are left to the reconciler's abandoned-run sweep. A few kitchens at a
 * time (KITCHENS_PER_ROLL_UP), so each aggregate row is written about once a pass, each kitchen's runs
 * found through the (kitchen, queued_at) index (see rollUpBatch).
 */
async function rollUpSyncRuns(db: Db, now: Date, days: number, batchSize: number): Promise<number> {
  const cutoff = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - days * DAY_MS);
  // Runs of a deleted kitchen went with it (on delete cascade): the kitchens table names them all.
  const ids = (await db.select({ id: kitchens.id }).from(kitchens).orderBy(kitchens.id)).map((k) => k.id);
  let total = 0;
  for (let i = 0; i < ids.length; i += KITCHENS_PER_ROLL_UP) {
    const chunk = ids.slice(i, i + KITCHENS_PER_ROLL_UP);
    total += await inBatches(batchSize, () => rollUpBatch(db, cutoff, chunk, batchSize));
  }
  return total;
}

/**
 * One batch of rollUpSyncRuns: up to `batchSize` runs of `kitchenIds` queued before `cutoff`. Each kitchen's
 * runs are asked for on their own (a lateral join, oldest first), which only the (kitchen, queued_at) index
 * answers: asked for all the kitchens at once with `in (...)`, PostgreSQL chose a parallel scan of the whole
 * table, ~0.8 s a batch at 13 M runs and growing with the history, so at 5,000 kitchens (157 batches) a
 * pass took minutes (bench:retention); this way a batch takes 10-50 ms. Bitmap scans are off for the batch:
 * a plain index scan marks the entries of runs rolled up before (deleted, not yet vacuumed) as dead when it
 * meets them, so later passes skip them, where a bitmap scan reads them all again every pass (536 ms
 * against 12 ms a batch after 9 days without vacuum). JIT is off too: at this size, compiling the
 * statement cost more than running it.
 */
async function rollUpBatch(db: Db, cutoff: Date, kitchenIds: number[], batchSize: number): Promise<number> {
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
    return tx.execute(sql`
      with gone as (
        delete from ${syncRuns} where ${batchOf(sql`
          select r.ctid from unnest(${sql.param(kitchenIds)}::integer[]) as k(id)
          cross join lateral (
            select ctid from ${syncRuns}
            where kitchen_id = k.id and queued_at < ${cutoff.toISOString()}::timestamptz
              and status in ('success', 'failed', 'skipped')
            order by queued_at
            limit ${batchSize}) as r
          limit ${batchSize}`)}
        returning kitchen_id, queued_at, kind, status, duration_ms, error_code, newbook_calls, rows_changed),
      rolled as (
        insert into ${syncRunDaily} as a (kitchen_id, day, kind, runs, successes, failures, skipped,
          newbook_failures, duration_ms_sum, duration_count, duration_ms_max, newbook_calls, rows_changed)
        select kitchen_id, (queued_at at time zone 'UTC')::date, kind, count(*),
          count(*) filter (where status = 'success'), count(*) filter (where status = 'failed'),
          count(*) filter (where status = 'skipped'),
          count(*) filter (where status = 'failed' and error_code like 'newbook\\_%'),
          coalesce(sum(duration_ms) filter (where status <> 'skipped'), 0),
          count(duration_ms) filter (where status <> 'skipped'),
          max(duration_ms) filter (where status <> 'skipped'),
          coalesce(sum(newbook_calls), 0), coalesce(sum(rows_changed), 0)
        from gone group by 1, 2, 3
        on conflict (kitchen_id, day, kind) do update set
          runs = a.runs + excluded.runs, successes = a.successes + excluded.successes,
          failures = a.failures + excluded.failures, skipped = a.skipped + excluded.skipped,
          newbook_failures = a.newbook_failures + excluded.newbook_failures,
          duration_ms_sum = a.duration_ms_sum + excluded.duration_ms_sum,
          duration_count = a.duration_count + excluded.duration_count,
          duration_ms_max = greatest(a.duration_ms_max, excluded.duration_ms_max),
          newbook_calls = a.newbook_calls + excluded.newbook_calls,
          rows_changed = a.rows_changed + excluded.rows_changed
        returning 1)
      select count(*)::int as n from gone`);
  });
  const rows = (result as unknown as { rows: { n: number }[] }).rows;
  return Number(rows[0]?.n ?? 0);
}

async function deleteResolvedAlerts(db: Db, now: Date, days: number, batchSize: number): Promise<number> {
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  return inBatches(batchSize, async () =>
    rowCount(
      await db.execute(sql`
        delete from ${alerts} where ${batchOf(sql`
          select ctid from ${alerts}
          where state = 'resolved' and resolved_at < ${cutoff.toISOString()}::timestamptz
          limit ${batchSize}`)}
        returning 1`),
    ),
  );
}

export async function runRetention(db: Db, policy: RetentionPolicy, now: Date): Promise<RetentionResult> {
  const batch = policy.batchSize ?? DEFAULT_BATCH;
  const stepMs = {} as Record<keyof RetentionCounts, number>;
  const timed = async (step: keyof RetentionCounts, work: () => Promise<number>) => {
    const started = performance.now();
    const done = await work();
    stepMs[step] = Math.round(performance.now() - started);
    return done;
  };
  const counts: RetentionCounts = {
    guestDataPurged: await timed("guestDataPurged", () =>
      purgeGuestData(db, now, policy.guestDataDays, batch),
    ),
    roomNightsScrubbed: await timed("roomNightsScrubbed", () =>
      scrubRoomNights(db, now, policy.guestDataDays, batch),
    ),
    bookingsDeleted: await timed("bookingsDeleted", () =>
      deleteOldBookings(db, now, policy.bookingDays, batch),
    ),
    syncRunsRolledUp: await timed("syncRunsRolledUp", () =>
      rollUpSyncRuns(db, now, policy.syncRunDays, batch),
    ),
    alertsDeleted: await timed("alertsDeleted", () => deleteResolvedAlerts(db, now, policy.alertDays, batch)),
  };
  return { ...counts, stepMs };
}
