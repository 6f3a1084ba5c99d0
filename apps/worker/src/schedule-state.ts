import {
  applyKitchenSchedule,
  everyMsFor,
  type QueueSet,
  readKitchenSchedule,
  type ScheduleOptions,
  schedulerIdFor,
} from "@occ/core";
import { type Db, newbookConnections, newbookFrequentSyncSettings as settings } from "@occ/db";
import { eq, sql } from "drizzle-orm";

/** What scheduling needs to know about one kitchen, straight from PostgreSQL (the source of truth). */
export interface KitchenScheduleRow {
  kitchenId: number;
  isEnabled: boolean;
  syncIntervalMinutes: number;
  consecutiveFailures: number;
  lastSyncAt: Date | null;
  lastSuccessAt: Date | null;
  nextSyncAt: Date | null;
  createdAt: Date;
  hasConnection: boolean;
}

export async function loadScheduleRows(db: Db, kitchenId?: number): Promise<KitchenScheduleRow[]> {
  const query = db
    .select({
      kitchenId: settings.kitchenId,
      isEnabled: settings.isEnabled,
      syncIntervalMinutes: settings.syncIntervalMinutes,
      consecutiveFailures: settings.consecutiveFailures,
      lastSyncAt: settings.lastSyncAt,
      lastSuccessAt: settings.lastSuccessAt,
      nextSyncAt: settings.nextSyncAt,
      createdAt: settings.createdAt,
      hasConnection: sql<boolean>`${newbookConnections.kitchenId} is not null`,
    })
    .from(settings)
    .leftJoin(newbookConnections, eq(newbookConnections.kitchenId, settings.kitchenId));
  return kitchenId === undefined ? query : query.where(eq(settings.kitchenId, kitchenId));
}

/** A kitchen is scheduled when it is enabled and has a Newbook connection to sync from. */
export function wantsSchedule(row: KitchenScheduleRow): boolean {
  return row.isEnabled && row.hasConnection;
}

export function desiredEveryMs(row: KitchenScheduleRow, opts: ScheduleOptions): number | null {
  return wantsSchedule(row) ? everyMsFor(row, opts) : null;
}

/** Upserts (counting the new period from the last run) or removes the kitchen's scheduler. */
export async function applyRow(
  queues: QueueSet,
  row: KitchenScheduleRow,
  opts: ScheduleOptions,
): Promise<void> {
  if (!wantsSchedule(row)) {
    await queues.frequent.removeJobScheduler(schedulerIdFor(row.kitchenId));
    return;
  }
  await applyKitchenSchedule(queues, { ...row, lastRunAt: row.lastSyncAt }, opts);
}

const NEXT_SYNC_BATCH = 1_000;

/** Writes next_sync_at for the kitchens whose stored value differs (one statement per batch). */
export async function writeNextSyncTimes(
  db: Db,
  rows: readonly KitchenScheduleRow[],
  nextByKitchen: ReadonlyMap<number, number | null>,
): Promise<number> {
  const changed = rows
    .map((row) => ({ kitchenId: row.kitchenId, next: nextByKitchen.get(row.kitchenId) ?? null, row }))
    .filter(({ next, row }) => next !== (row.nextSyncAt?.getTime() ?? null));
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

/**
 * After a run: bring this one kitchen's scheduler in line with its settings (back-off after
 * failures, back to normal after a success) and show the next run on the settings row.
 */
export async function refreshKitchenSchedule(
  db: Db,
  queues: QueueSet,
  kitchenId: number,
  opts: ScheduleOptions,
): Promise<void> {
  const [row] = await loadScheduleRows(db, kitchenId);
  if (!row) return;
  const current = await readKitchenSchedule(queues, kitchenId);
  if ((current?.everyMs ?? null) !== desiredEveryMs(row, opts)) await applyRow(queues, row, opts);
  const after = wantsSchedule(row) ? await readKitchenSchedule(queues, kitchenId) : null;
  await writeNextSyncTimes(db, [row], new Map([[kitchenId, after?.next ?? null]]));
}
