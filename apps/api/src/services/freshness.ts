import { coveredWindow } from "@occ/core";
import type { Db } from "@occ/db";
import {
  readSettings,
  type SettingsRow,
  type StalenessContext,
  settingsRowIsStale,
} from "./frequent-sync-settings";

/** How far the figures on a data view can be trusted, most urgent first. */
export const FRESHNESS_STATES = [
  "not_connected",
  "failing",
  "never_synced",
  "disabled",
  "stale",
  "fresh",
] as const;
export type FreshnessState = (typeof FRESHNESS_STATES)[number];

export interface Freshness {
  state: FreshnessState;
  /** When the figures were last confirmed by Newbook (the last successful sync's fetch). */
  as_of: string | null;
  /** The dates the last successful next-days sync covered; days outside it are not synced. */
  synced_from: string | null;
  synced_to: string | null;
  /** How many days ahead the kitchen syncs (its dashboard shows as many). */
  days_ahead: number;
}

/** Pure: the freshness of a kitchen's figures from its settings row and last covered window. */
export function freshnessOf(
  row: SettingsRow,
  covered: { from: string; to: string } | null,
  ctx: StalenessContext,
): Freshness {
  const state: FreshnessState = !ctx.hasConnection
    ? "not_connected"
    : row.consecutiveFailures > 0 && row.lastSyncStatus === "failed"
      ? "failing"
      : row.lastSuccessAt === null
        ? "never_synced"
        : !row.isEnabled
          ? "disabled"
          : settingsRowIsStale(row, ctx)
            ? "stale"
            : "fresh";
  return {
    state,
    as_of: row.lastSuccessAt ? row.lastSuccessAt.toISOString() : null,
    synced_from: covered?.from ?? null,
    synced_to: covered?.to ?? null,
    days_ahead: row.daysAhead,
  };
}

export async function readFreshness(
  db: Db,
  kitchenId: number,
  staleness: (hasConnection: boolean) => StalenessContext,
): Promise<Freshness> {
  const [{ row, connected }, covered] = await Promise.all([
    readSettings(db, kitchenId),
    coveredWindow(db, kitchenId),
  ]);
  return freshnessOf(row, covered, staleness(connected));
}
