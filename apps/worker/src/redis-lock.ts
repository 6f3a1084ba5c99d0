import type { RedisClient } from "@occ/core";

// Both scripts act only when the key still holds our token, so a lock that expired and was taken
// by another replica is never extended or deleted by its former owner.
const RENEW_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/** A lock with expiry on one Redis key, owned by whoever holds the token it was set with. */
export class RedisLock {
  constructor(
    private readonly redis: RedisClient,
    readonly key: string,
    readonly token: string,
    readonly ttlMs: number,
  ) {}

  async tryAcquire(): Promise<boolean> {
    return (await this.redis.set(this.key, this.token, "PX", this.ttlMs, "NX")) === "OK";
  }

  /** False when the lock is no longer ours (it expired, and perhaps someone else took it). */
  async renew(): Promise<boolean> {
    return Number(await this.redis.eval(RENEW_SCRIPT, 1, this.key, this.token, this.ttlMs)) === 1;
  }

  /** Whether the key still holds our token right now (it may have expired or been taken over). */
  async isHeld(): Promise<boolean> {
    return (await this.redis.get(this.key)) === this.token;
  }

  async release(): Promise<boolean> {
    return Number(await this.redis.eval(RELEASE_SCRIPT, 1, this.key, this.token)) === 1;
  }
}

/** Thrown by a fencing check that finds the lock no longer ours: the holder must not commit its work. */
export class LockLostError extends Error {
  constructor(readonly key: string) {
    super(`The lock ${key} is no longer held by this run`);
    this.name = "LockLostError";
  }
}

export interface HeldLock {
  /** Set once a renewal or a fencing check found the lock gone; the holder is then no longer exclusive. */
  readonly lost: boolean;
  /** The fencing check: throws LockLostError unless Redis still holds the lock under our token. */
  ensureHeld(): Promise<void>;
  /** Stops renewing and leaves the lock to expire. */
  stop(): void;
  release(): Promise<void>;
}

/**
 * Keeps an acquired lock alive by renewing it every third of its TTL until released. A Redis error
 * during renewal is retried at the next tick; only a renewal that finds another owner counts as lost.
 */
export function keepAlive(lock: RedisLock, onLost: () => void, onError: (error: unknown) => void): HeldLock {
  let lost = false;
  // Renewing a lost lock is pointless, and could not succeed anyway: the timer stops for good.
  const markLost = () => {
    if (lost) return;
    lost = true;
    clearInterval(timer);
    onLost();
  };
  const timer = setInterval(
    () => {
      lock.renew().then((ok) => {
        if (!ok) markLost();
      }, onError);
    },
    Math.max(1, Math.floor(lock.ttlMs / 3)),
  );
  return {
    get lost() {
      return lost;
    },
    async ensureHeld() {
      if (!lost && !(await lock.isHeld())) markLost();
      if (lost) throw new LockLostError(lock.key);
    },
    stop() {
      clearInterval(timer);
    },
    async release() {
      clearInterval(timer);
      if (!lost) await lock.release();
    },
  };
}
