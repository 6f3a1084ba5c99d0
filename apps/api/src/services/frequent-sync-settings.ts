import {
  type BusyWindow,
  type DesiredSchedule,
  isStale,
  type KitchenScheduleState,
  type ScheduleOffReason,
} from "@occ/core";
import type { Db, SyncStatus } from "@occ/db";
import { connectionExists, kitchens, newbookConnections, newbookFrequentSyncSettings } from "@occ/db";
import { eq, sql } from "drizzle-orm";

export type SettingsRow = typeof newbookFrequentSyncSettings.$inferSelect;

export interface SettingsInput {
  is_enabled: boolean;
  sync_interval_minutes: number;
  days_ahead: number;
  busy_hours?: BusyWindow[];
  busy_interval_minutes?: number | null;
  change_webhook_min_bookings?: number | null;
}

export interface FrequentSyncView {
  is_enabled: boolean;
  sync_interval_minutes: number;
  days_ahead: number;
  last_sync_at: string | null;
  last_sync_status: SyncStatus | null;
  last_error_message: string | null;
  consecutive_failures: number;
  last_success_at: string | null;
  next_sync_at: string | null;
  last_duration_ms: number | null;
  stale: boolean;
  effective_interval_minutes: number;
  busy_hours: BusyWindow[];
  busy_interval_minutes: number | null;
  change_webhook_min_bookings: number | null;
  next_sync_busy: boolean;
  schedule_off_reason: ScheduleOffReason | null;
  rooms_total: number | null;
}

export interface StalenessContext {
  now: Date;
  /** Length of a scheduling "minute" (SYNC_MINUTE_MS). */
  minuteMs: number;
  backoffAfterFailures: number;
  /** Only a kitchen that can sync can be behind: without a Newbook connection it is "not configured". */
  hasConnection: boolean;
}

/** Core's staleness rule applied to a settings row. */
export function settingsRowIsStale(row: SettingsRow, ctx: StalenessContext): boolean {
  return isStale(
    {
      isEnabled: row.isEnabled,
      syncIntervalMinutes: row.syncIntervalMinutes,
      lastSuccessAt: row.lastSuccessAt,
      since: row.createdAt,
      hasConnection: ctx.hasConnection,
    },
    ctx.minuteMs,
    ctx.now,
  );
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * What the page shows. `schedule` is the owner's desired schedule for the kitchen now: a kitchen without
 * one shows no next sync whatever an older row says, and the interval shown is the one it runs at.
 */
export function settingsView(
  { row, roomsTotal }: Pick<SettingsRead, "row" | "roomsTotal">,
  ctx: StalenessContext,
  schedule: DesiredSchedule,
): FrequentSyncView {
  return {
    is_enabled: row.isEnabled,
    sync_interval_minutes: row.syncIntervalMinutes,
    days_ahead: row.daysAhead,
    last_sync_at: iso(row.lastSyncAt),
    last_sync_status: row.lastSyncStatus as SyncStatus | null,
    last_error_message: row.lastErrorMessage,
    consecutive_failures: row.consecutiveFailures,
    last_success_at: iso(row.lastSuccessAt),
    next_sync_at: schedule.on ? iso(row.nextSyncAt) : null,
    last_duration_ms: row.lastDurationMs,
    stale: settingsRowIsStale(row, ctx),
    effective_interval_minutes: schedule.on ? schedule.intervalMinutes : row.syncIntervalMinutes,
    busy_hours: row.busyHours,
    busy_interval_minutes: row.busyIntervalMinutes,
    change_webhook_min_bookings: row.changeWebhookMinBookings,
    next_sync_busy: schedule.on && schedule.busy,
    schedule_off_reason: schedule.on ? null : schedule.reason,
    rooms_total: roomsTotal,
  };
}

/** The kitchen's settings, created with the defaults (enabled, 15, 7) the first time they are read. */
export async function ensureSettings(db: Db, kitchenId: number): Promise<SettingsRow> {
  const [existing] = await db
    .select()
    .from(newbookFrequentSyncSettings)
    .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
  if (existing) return existing;
  const [created] = await db
    .insert(newbookFrequentSyncSettings)
    .values({ kitchenId, hasConnection: connectionExists(kitchenId) })
    .onConflictDoNothing({ target: newbookFrequentSyncSettings.kitchenId })
    .returning();
  if (created) return created;
  // Another request created it between our select and insert.
  const [raced] = await db
    .select()
    .from(newbookFrequentSyncSettings)
    .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
  return raced!;
}

export interface SettingsRead {
  row: SettingsRow;
  connected: boolean;
  /** The connection has proved to work (passed a test or synced) since it was last changed. */
  verified: boolean;
  /** The kitchen's IANA zone: busy hours are local to it. */
  timezone: string;
  /** The hotel's room count as its last sync found it (null before one): the interval advice follows it. */
  roomsTotal: number | null;
}

/** The settings (created on first read), whether the kitchen has a Newbook connection, and its zone. */
export async function readSettings(db: Db, kitchenId: number): Promise<SettingsRead> {
  const read = () =>
    db
      .select({
        row: newbookFrequentSyncSettings,
        connected: sql<boolean>`${newbookConnections.kitchenId} is not null`,
        verified: sql<boolean>`${newbookConnections.verifiedAt} is not null`,
        timezone: kitchens.timezone,
        roomsTotal: newbookConnections.roomsTotal,
      })
      .from(newbookFrequentSyncSettings)
      .innerJoin(kitchens, eq(kitchens.id, newbookFrequentSyncSettings.kitchenId))
      .leftJoin(newbookConnections, eq(newbookConnections.kitchenId, newbookFrequentSyncSettings.kitchenId))
      .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
  const [found] = await read();
  if (found) return found;
  await ensureSettings(db, kitchenId);
  const [created] = await read();
  return created!;
}

/** The schedule owner's view of these settings (core derives the desired schedule from it). */
export function scheduleStateOf({ row, connected, verified, timezone }: SettingsRead): KitchenScheduleState {
  return {
    kitchenId: row.kitchenId,
    timezone,
    isEnabled: row.isEnabled,
    hasConnection: connected,
    connectionVerified: verified,
    syncIntervalMinutes: row.syncIntervalMinutes,
    busyHours: row.busyHours,
    busyIntervalMinutes: row.busyIntervalMinutes,
    consecutiveFailures: row.consecutiveFailures,
    lastErrorCode: row.lastErrorCode,
    lastSyncAt: row.lastSyncAt,
    lastSuccessAt: row.lastSuccessAt,
    nextSyncAt: row.nextSyncAt,
    createdAt: row.createdAt,
  };
}

export async function saveSettings(
  db: Db,
  kitchenId: number,
  patch: Partial<SettingsInput>,
): Promise<SettingsRow> {
  const set = {
    ...(patch.is_enabled === undefined ? {} : { isEnabled: patch.is_enabled }),
    ...(patch.sync_interval_minutes === undefined
      ? {}
      : { syncIntervalMinutes: patch.sync_interval_minutes }),
    ...(patch.days_ahead === undefined ? {} : { daysAhead: patch.days_ahead }),
    ...(patch.busy_hours === undefined ? {} : { busyHours: patch.busy_hours }),
    ...(patch.busy_interval_minutes === undefined
      ? {}
      : { busyIntervalMinutes: patch.busy_interval_minutes }),
    ...(patch.change_webhook_min_bookings === undefined
      ? {}
      : { changeWebhookMinBookings: patch.change_webhook_min_bookings }),
  };
  const [row] = await db
    .insert(newbookFrequentSyncSettings)
    .values({ kitchenId, hasConnection: connectionExists(kitchenId), ...set })
    .onConflictDoUpdate({
      target: newbookFrequentSyncSettings.kitchenId,
      set: { ...set, updatedAt: new Date() },
    })
    .returning();
  return row!;
}

/**
 * A saved connection starts over: no back-off, and no pause for a login Newbook rejected (the next run
 * tells whether the saved credentials work). The last run's status and message stay as history.
 */
export async function resetBackoff(db: Db, kitchenId: number): Promise<SettingsRow> {
  await ensureSettings(db, kitchenId);
  const [row] = await db
    .update(newbookFrequentSyncSettings)
    .set({ consecutiveFailures: 0, lastErrorCode: null, updatedAt: new Date() })
    .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId))
    .returning();
  return row!;
}
