import type { RateLimiter } from "./rate-limiter";

/** A limiter that can also say, without waiting, how long until enough slots free up. */
export interface SlotSource extends RateLimiter {
  /**
   * Takes `slots` slots (default 1; at most the limit) at once if that many are free now and resolves 0;
   * otherwise takes nothing and resolves the ms until that many could be free. `label` as in acquire.
   */
  tryAcquire(credentialKey: string, slots?: number, label?: string): Promise<number>;
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
    /**
     * Requests the run is known to need when it starts again: what it was granted so far (their answers
     * are dropped with the run) plus what it was asking for. The next attempt reserves that many at once.
     */
    readonly requestsNeeded: number,
    /** Why the run cannot go on now; default: our own budget for the credential is used up. */
    reason = `This Newbook connection's request budget is used up for the next ${waitMs} ms`,
  ) {
    super(`${reason}; the sync waits in the queue`);
    this.name = "RateLimitDeferredError";
  }
}

/** One run's view of the shared budget: requests are reserved up front and never waited for. */
export interface RunBudget extends RateLimiter {
  /**
   * Makes sure the next `requests` requests have slots, taking the missing ones in one go, or throws
   * RateLimitDeferredError (taking none). A run calls it before requests it knows it will send, so a
   * credential with too little budget left stops it before it spends any on a result it cannot finish.
   */
  reserve(credentialKey: string, requests: number, label?: string): Promise<void>;
}

/**
 * The limiter of one queued run. A request beyond what was reserved takes a slot of its own if one is
 * free; a credential out of budget throws RateLimitDeferredError instead of sleeping, so a worker slot
 * never waits on a key other kitchens' jobs do not share (head-of-line blocking). `atLeast`: requests the
 * run's last deferral said it needs (RateLimitDeferredError.requestsNeeded), reserved by its first call.
 * Calls are served one at a time, so concurrent requests share one reservation; after a deferral every
 * later call throws it too, ending the run's other requests without spending budget.
 */
export function runBudget(
  inner: SlotSource,
  options: { atLeast?: number; now?: () => number } = {},
): RunBudget {
  const now = options.now ?? Date.now;
  let reserved = 0;
  let granted = 0;
  let deferral: RateLimitDeferredError | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const serially = (work: () => Promise<void>): Promise<void> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };
  const ensure = async (credentialKey: string, requests: number, label?: string) => {
    if (deferral) throw deferral;
    const wanted = granted === 0 ? Math.max(requests, options.atLeast ?? 0) : requests;
    const missing = wanted - reserved;
    if (missing <= 0) return;
    const waitMs = await inner.tryAcquire(credentialKey, missing, label);
    if (waitMs > 0) {
      deferral = new RateLimitDeferredError(credentialKey, waitMs, now() + waitMs, granted + wanted);
      throw deferral;
    }
    reserved += missing;
  };
  return {
    noteThrottled: inner.noteThrottled?.bind(inner),
    // Newbook itself asked for a pause: the run ends like one out of budget, and every later call of
    // it throws the same, so its other requests stop too.
    deferFor: (credentialKey, waitMs, reason) => {
      deferral ??= new RateLimitDeferredError(credentialKey, waitMs, now() + waitMs, granted, reason);
      return deferral;
    },
    reserve: (credentialKey, requests, label) => serially(() => ensure(credentialKey, requests, label)),
    acquire: (credentialKey, label) =>
      serially(async () => {
        await ensure(credentialKey, 1, label);
        reserved--;
        granted++;
      }),
  };
}
