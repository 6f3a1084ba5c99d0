import { enqueueSyncNow, frequentWindow, kitchenLockKey } from "@occ/core";
import { lockKitchenForTransaction, syncRuns } from "@occ/db";
import { and, desc, eq, gte, inArray } from "drizzle-orm";
import { z } from "zod";
import { ensureSettings } from "../frequent-sync-settings";
import { withTimeout } from "../with-timeout";
import { assertKitchenConnected, enqueueRun, queuedRun, type SyncDeps } from "./queued-run";

/** A queued/running run older than this no longer blocks "sync now" (its worker is assumed lost). */
const ACTIVE_RUN_HORIZON_MS = 60 * 60_000;

/** What our runs write as the kitchen lock's value. */
const runIdSchema = z.uuid();

/**
 * The run holding the kitchen's lock right now (any kind: a scheduled run that has not written its row
 * for long, a historical backfill), or null. Best effort: RedisClient trouble, or a lock value that is no
 * run id (nothing of ours writes one), means "none known".
 */
async function runHoldingKitchen(deps: SyncDeps, kitchenId: number): Promise<string | null> {
  try {
    const holder = await withTimeout(
      deps.redis.get(kitchenLockKey(deps.prefix, kitchenId)),
      deps.redisTimeoutMs,
      "Redis (kitchen lock)",
    );
    return runIdSchema.safeParse(holder).success ? holder : null;
  } catch {
    return null;
  }
}

/**
 * "Sync now": one run per kitchen at a time. If a frequent run is already queued or running, or any run
 * holds the kitchen, its id is returned at once instead (the caller follows that run), so double clicks,
 * several open tabs and clicks during a sync neither pile up runs nor wait for a "skipped" one.
 */
export async function syncNow(
  deps: SyncDeps,
  kitchen: { id: number; name: string; timezone: string },
): Promise<{ run_id: string; already_running: boolean }> {
  const { db } = deps;
  const kitchenId = kitchen.id;
  await assertKitchenConnected(db, kitchenId);
  const settings = await ensureSettings(db, kitchenId);
  const now = deps.now();
  const holder = await runHoldingKitchen(deps, kitchenId);
  const created = await db.transaction(async (tx) => {
    await lockKitchenForTransaction(tx, "syncNow", kitchenId);
    const [active] = await tx
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(
        and(
          eq(syncRuns.kitchenId, kitchenId),
          eq(syncRuns.kind, "frequent"),
          inArray(syncRuns.status, ["queued", "running"]),
          gte(syncRuns.queuedAt, new Date(now.getTime() - ACTIVE_RUN_HORIZON_MS)),
        ),
      )
      .orderBy(desc(syncRuns.queuedAt))
      .limit(1);
    if (active) return { id: active.id, existing: true };
    if (holder) {
      const [holding] = await tx
        .select({ id: syncRuns.id })
        .from(syncRuns)
        .where(
          and(eq(syncRuns.id, holder), eq(syncRuns.kitchenId, kitchenId), eq(syncRuns.status, "running")),
        );
      if (holding) return { id: holding.id, existing: true };
    }
    const window = frequentWindow(kitchen.timezone, settings.daysAhead, now);
    const run = queuedRun(kitchenId, now, (id) => ({
      kind: "frequent",
      trigger: "sync_now",
      windowFrom: window.from,
      windowTo: window.to,
      jobId: id,
    }));
    await tx.insert(syncRuns).values(run);
    return { id: run.id, existing: false };
  });
  if (created.existing) return { run_id: created.id, already_running: true };
  await enqueueRun(deps, created.id, "sync now", () =>
    enqueueSyncNow(deps.queues, kitchenId, created.id, kitchen.name),
  );
  return { run_id: created.id, already_running: false };
}
