import { kitchenLockKey, kitchenWaitingKey, type Logger, type RedisClient } from "@occ/core";
import { type HeldLock, keepAlive, RedisLock } from "./redis-lock";

export interface KitchenLocksOptions {
  redis: RedisClient;
  prefix: string;
  /** Must expire before BullMQ hands a crashed worker's job to another replica (see worker.ts). */
  ttlMs: number;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * At most one sync per kitchen at any moment, across replicas and job kinds. Acquire and release
 * are logged with the run id (debug level), which is the lock audit trail.
 */
export class KitchenLocks {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly held = new Set<HeldLock>();

  constructor(private readonly options: KitchenLocksOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  keyFor(kitchenId: number): string {
    return kitchenLockKey(this.options.prefix, kitchenId);
  }

  /**
   * Null when another run holds the kitchen. `waitMs` keeps trying that long: used by a job resumed
   * after its worker died, whose old lock may need a moment to expire.
   */
  async acquire(kitchenId: number, runId: string, waitMs = 0): Promise<HeldLock | null> {
    const { redis, ttlMs, logger } = this.options;
    const lock = new RedisLock(redis, this.keyFor(kitchenId), runId, ttlMs);
    const deadline = Date.now() + waitMs;
    while (!(await lock.tryAcquire())) {
      if (Date.now() >= deadline) return null;
      await this.sleep(Math.max(10, Math.floor(ttlMs / 10)));
    }
    const audit = { kitchen_id: kitchenId, run_id: runId, lock_key: lock.key };
    logger.debug("kitchen lock acquired", audit);
    const held = keepAlive(
      lock,
      () => logger.error("kitchen lock lost while the sync was running", audit),
      (error) => logger.warn("kitchen lock renewal failed", { ...audit, error: String(error) }),
    );
    const handle: HeldLock = {
      get lost() {
        return held.lost;
      },
      ensureHeld: () => held.ensureHeld(),
      stop: () => held.stop(),
      release: async () => {
        this.held.delete(handle);
        await held.release();
        logger.debug("kitchen lock released", audit);
      },
    };
    this.held.add(handle);
    return handle;
  }

  /**
   * A frequent run that went back to the queue for its credential's request budget marks its kitchen
   * until it is due again (plus a lock TTL for a late start). While a credential's budget cannot keep up
   * with its kitchens, every schedule tick would otherwise become one more run waiting beside the first,
   * each competing for the same slots: waiting runs would pile up without bound and the oldest could
   * lose every race. With the mark, a kitchen has one waiting run and its later ticks are skipped.
   */
  async markWaiting(kitchenId: number, runId: string, dueInMs: number): Promise<void> {
    const { redis, prefix, ttlMs } = this.options;
    await redis.set(kitchenWaitingKey(prefix, kitchenId), runId, "PX", Math.max(1, dueInMs) + ttlMs);
  }

  /** The run of this kitchen waiting for budget, unless it is `runId` itself (or none waits). */
  async otherWaitingRun(kitchenId: number, runId: string): Promise<string | null> {
    const waiting = await this.options.redis.get(kitchenWaitingKey(this.options.prefix, kitchenId));
    return waiting === runId ? null : waiting;
  }

  /** Ends `runId`'s mark (a mark since taken by another run stays). */
  async clearWaiting(kitchenId: number, runId: string): Promise<void> {
    const { redis, prefix, ttlMs } = this.options;
    await new RedisLock(redis, kitchenWaitingKey(prefix, kitchenId), runId, ttlMs).release();
  }

  /** For a forced shutdown: gives up every lock this process still holds. */
  async releaseAll(): Promise<void> {
    await Promise.allSettled([...this.held].map((lock) => lock.release()));
  }
}
