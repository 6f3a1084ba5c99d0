import type { RateLimiter } from "./rate-limiter";

/** A limiter that can also say, without waiting, how long until a slot frees up. */
export interface SlotSource extends RateLimiter {
  /** Takes a slot if one is free now and resolves 0; otherwise takes nothing and resolves the ms to wait. */
  tryAcquire(credentialKey: string, label?: string): Promise<number>;
}

/**
 * Thrown instead of waiting: the credential has no request budget now. Not a failure of the run (the
 * worker re-delays its job to `retryAtMs` and frees its slot), so it never counts as an attempt.
 */
export class RateLimitDeferredError extends Error {
  readonly retryable = true;

  constructor(
    readonly credentialKey: string,
    readonly waitMs: number,
    readonly retryAtMs: number,
  ) {
    super(
      `This Newbook connection's request budget is used up for the next ${waitMs} ms; the sync waits in the queue`,
    );
    this.name = "RateLimitDeferredError";
  }
}

/**
 * The limiter of one queued run. Until the run has been granted its first request, a credential out of
 * budget throws RateLimitDeferredError instead of sleeping, so a worker slot never waits on a key other
 * kitchens' jobs do not share (head-of-line blocking). Once a request went out the run has spent budget
 * on a result it would otherwise lose, so later requests wait for their slot as usual.
 */
export function deferUntilFirstSlot(inner: SlotSource, now: () => number = Date.now): RateLimiter {
  let granted = false;
  return {
    noteThrottled: inner.noteThrottled?.bind(inner),
    async acquire(credentialKey, label) {
      if (granted) return inner.acquire(credentialKey, label);
      const waitMs = await inner.tryAcquire(credentialKey, label);
      if (waitMs === 0) {
        granted = true;
        return;
      }
      throw new RateLimitDeferredError(credentialKey, waitMs, now() + waitMs);
    },
  };
}
