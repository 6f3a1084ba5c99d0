import { effectiveIntervalMinutes, isStale as noRecentSuccess } from "@occ/core";
import type { Db } from "@occ/db";
import { newbookConnections, newbookFrequentSyncSettings } from "@occ/db";
import { eq, sql } from "drizzle-orm";
import { hasConnection } from "./connection";

export type SettingsRow = typeof newbookFrequentSyncSettings.$inferSelect;
type SyncStatus = "running" | "success" | "failed" | "skipped";

export interface SettingsInput {
  is_enabled: boolean;
  sync_interval_minutes: number;
  days_ahead: number;
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
}

export interface StalenessContext {
  now: Date;
  /** Length of a scheduling "minute" (SYNC_MINUTE_MS). */
  minuteMs: number;
  backoffAfterFailures: number;
  /** Only a kitchen that can sync can be behind: without a Newbook connection it is "not configured". */
  hasConnection: boolean;
}

/** Stale (core's rule: no success within twice the interval), but only for a kitchen that can sync. */
export function isStale(row: SettingsRow, ctx: StalenessContext): boolean {
  if (!ctx.hasConnection) return false;
  return noRecentSuccess(
    {
      isEnabled: row.isEnabled,
      syncIntervalMinutes: row.syncIntervalMinutes,
      lastSuccessAt: row.lastSuccessAt,
      since: row.createdAt,
    },
    ctx.minuteMs,
    ctx.now,
  );
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function settingsView(row: SettingsRow, ctx: StalenessContext): FrequentSyncView {
  return {
    is_enabled: row.isEnabled,
    sync_interval_minutes: row.syncIntervalMinutes,
    days_ahead: row.daysAhead,
    last_sync_at: iso(row.lastSyncAt),
    last_sync_status: row.lastSyncStatus as SyncStatus | null,
    last_error_message: row.lastErrorMessage,
    consecutive_failures: row.consecutiveFailures,
    last_success_at: iso(row.lastSuccessAt),
    next_sync_at: iso(row.nextSyncAt),
    last_duration_ms: row.lastDurationMs,
    stale: isStale(row, ctx),
    effective_interval_minutes: effectiveIntervalMinutes(
      row.syncIntervalMinutes,
      row.consecutiveFailures,
      ctx.backoffAfterFailures,
    ),
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
    .values({ kitchenId })
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

/** The settings (created on first read) and whether the kitchen has a Newbook connection, in one query. */
export async function readSettings(
  db: Db,
  kitchenId: number,
): Promise<{ row: SettingsRow; connected: boolean }> {
  const [found] = await db
    .select({
      row: newbookFrequentSyncSettings,
      connected: sql<boolean>`${newbookConnections.kitchenId} is not null`,
    })
    .from(newbookFrequentSyncSettings)
    .leftJoin(newbookConnections, eq(newbookConnections.kitchenId, newbookFrequentSyncSettings.kitchenId))
    .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
  if (found) return found;
  return { row: await ensureSettings(db, kitchenId), connected: await hasConnection(db, kitchenId) };
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
  };
  const [row] = await db
    .insert(newbookFrequentSyncSettings)
    .values({ kitchenId, ...set })
    .onConflictDoUpdate({
      target: newbookFrequentSyncSettings.kitchenId,
      set: { ...set, updatedAt: new Date() },
    })
    .returning();
  return row!;
}
