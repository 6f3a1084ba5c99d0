import { kitchenLockKey, type Logger, type RedisClient } from "@occ/core";
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

  /** For a forced shutdown: gives up every lock this process still holds. */
  async releaseAll(): Promise<void> {
    await Promise.allSettled([...this.held].map((lock) => lock.release()));
  }
}
