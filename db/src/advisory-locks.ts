import { sql } from "drizzle-orm";
import type { Tx } from "./client";

/**
 * Every PostgreSQL advisory lock the product takes, in one registry so no two features can pick the same
 * key. The numbers are arbitrary but must never change while an older version may still be running.
 */
export const ADVISORY_LOCKS = {
  /** Session lock (one key) serialising migrations across replicas starting together. */
  migrations: 724_113_901,
  /** Per-kitchen space: schedule updates (core's ScheduleOwner.apply). */
  schedule: 872_341,
  /** Per-kitchen space: "sync now" deciding whether to join a run or queue one. */
  syncNow: 872_342,
} as const;

export type KitchenLockSpace = "schedule" | "syncNow";

/** Holds the kitchen's lock in `space` until the transaction ends. */
export async function lockKitchenForTransaction(
  tx: Tx,
  space: KitchenLockSpace,
  kitchenId: number,
): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCKS[space]}, ${kitchenId})`);
}

/**
 * Holds the locks of many kitchens in `space` until the transaction ends, taken in ascending id order in
 * one statement: two batches taking overlapping sets in the same order cannot deadlock.
 */
export async function lockKitchensForTransaction(
  tx: Tx,
  space: KitchenLockSpace,
  kitchenIds: readonly number[],
): Promise<void> {
  const ids = [...new Set(kitchenIds)].sort((a, b) => a - b);
  if (ids.length === 0) return;
  await tx.execute(
    sql`select pg_advisory_xact_lock(${ADVISORY_LOCKS[space]}, id)
      from unnest(${`{${ids.join(",")}}`}::int[]) with ordinality as t(id, n) order by n`,
  );
}
