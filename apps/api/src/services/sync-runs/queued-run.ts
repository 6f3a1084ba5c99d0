import { randomUUID } from "node:crypto";
import type { QueueSet, RedisClient } from "@occ/core";
import type { Db } from "@occ/db";
import { syncRuns } from "@occ/db";
import { eq } from "drizzle-orm";
import { ApiError, conflict } from "../../errors";
import { hasConnection } from "../connection";
import { withTimeout } from "../with-timeout";

/** What starting a run needs: sync now, historical sync and its resume all queue runs the same way. */
export interface SyncDeps {
  db: Db;
  queues: QueueSet;
  /** Redis and key prefix the workers' kitchen locks live under. */
  redis: RedisClient;
  prefix: string;
  now: () => Date;
  redisTimeoutMs: number;
}

export type RunRow = typeof syncRuns.$inferSelect;

const NO_CONNECTION_MESSAGE =
  "Configure the Newbook connection (Settings → Newbook connection) before syncing";
const QUEUE_DOWN_MESSAGE = "The sync could not be queued: the job queue is unreachable. Try again shortly.";

export async function assertKitchenConnected(db: Db, kitchenId: number): Promise<void> {
  if (!(await hasConnection(db, kitchenId))) throw conflict("no_connection", NO_CONNECTION_MESSAGE);
}

/** The columns a run's own kind decides; the rest every queued run starts with (see queuedRun). */
type RunFields = Omit<typeof syncRuns.$inferInsert, "id" | "kitchenId" | "status" | "queuedAt">;

/**
 * A new run's row, status "queued". The row is written before the job is enqueued, so a worker that picks
 * the job up at once always finds it.
 */
export function queuedRun(
  kitchenId: number,
  queuedAt: Date,
  fields: (id: string) => RunFields,
): typeof syncRuns.$inferInsert & { id: string } {
  const id = randomUUID();
  return { id, kitchenId, status: "queued", queuedAt, ...fields(id) };
}

/**
 * Enqueues the job of a run already written as queued, bounded by the Redis timeout. If the queue cannot
 * take it, the run itself says so (failed, queue_unavailable) and the caller answers 503.
 */
export async function enqueueRun<T>(
  deps: SyncDeps,
  runId: string,
  what: string,
  enqueue: () => Promise<T>,
): Promise<T> {
  try {
    return await withTimeout(enqueue(), deps.redisTimeoutMs, `Redis (${what})`);
  } catch {
    await deps.db
      .update(syncRuns)
      .set({
        status: "failed",
        finishedAt: deps.now(),
        errorMessage: QUEUE_DOWN_MESSAGE,
        errorCode: "queue_unavailable",
      })
      .where(eq(syncRuns.id, runId));
    throw new ApiError(503, "queue_unavailable", QUEUE_DOWN_MESSAGE);
  }
}
