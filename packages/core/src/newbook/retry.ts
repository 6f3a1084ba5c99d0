import { type NewbookError, NewbookThrottledError } from "./errors";

export interface NewbookRetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseMs: number;
  /** Upper bound of one backoff step before jitter. */
  maxDelayMs: number;
  /** No wait is started that would end later than this after the first attempt began. */
  maxTotalMs: number;
}

/** A truncated or odd body is worth another look, but not the whole budget: it is rarely transient. */
export const MAX_PROTOCOL_RETRIES = 2;

/** Full jitter: uniformly random in [0, min(cap, base * 2^attempt)); `attempt` counts from 0. */
export function fullJitterDelay(
  attempt: number,
  policy: Pick<NewbookRetryPolicy, "baseMs" | "maxDelayMs">,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | null {
  if (value === undefined || value === null) return null;
  const text = value.trim();
  if (text === "") return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date always names its month; without that, Date.parse reads things like "-5" as a year.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

export interface RetryDecisionInput {
  error: NewbookError;
  /** Retries already made (0 after the first failure). */
  retriesSoFar: number;
  /** Time since the first attempt started. */
  elapsedMs: number;
  /** Retry-After the server asked for, in ms. */
  retryAfterMs: number | null;
  policy: NewbookRetryPolicy;
  random: () => number;
}

/** The wait before the next attempt, or null to give up with `error`. */
export function nextRetryDelay(input: RetryDecisionInput): number | null {
  const { error, retriesSoFar, policy } = input;
  if (!error.retryable) return null;
  const limit =
    error.code === "protocol" ? Math.min(policy.maxRetries, MAX_PROTOCOL_RETRIES) : policy.maxRetries;
  if (retriesSoFar >= limit) return null;
  const jitter = fullJitterDelay(retriesSoFar, policy, input.random);
  const delay = Math.max(jitter, input.retryAfterMs ?? 0);
  if (input.elapsedMs + delay > policy.maxTotalMs) return null;
  return delay;
}

/**
 * The longest Retry-After a run waits for in place. Giving the slot back costs a job move, writes to the
 * run's row, and a fresh claim, lock and first request when the job comes back: for a wait of a second
 * or less that costs more than it frees, and a second barely delays the kitchens queued behind.
 */
export const MAX_IN_PLACE_RETRY_AFTER_MS = 1_000;

/**
 * How long Newbook asked this credential to pause, when that is too long to wait in a worker slot
 * (see MAX_IN_PLACE_RETRY_AFTER_MS); null when the retry is decided by nextRetryDelay as usual. Giving
 * the slot back is no attempt, so neither the retry count nor the total time budget limits it.
 */
export function pauseTooLongToWait(error: NewbookError): number | null {
  if (!(error instanceof NewbookThrottledError) || error.retryAfterMs === null) return null;
  return error.retryAfterMs > MAX_IN_PLACE_RETRY_AFTER_MS ? error.retryAfterMs : null;
}
