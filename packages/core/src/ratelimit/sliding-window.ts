import { createHash, randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Config } from "../config";
import type { SlotSource } from "./deferring";
import { RateLimitWaitError } from "./rate-limiter";

// Runs atomically in Redis, on Redis's clock, so processes on machines with skewed clocks share one
// window (ARGV[2] = how long a request holds its slot). Returns 0 when the slot was taken, else the ms until the oldest counted request leaves the window.
const SLIDING_WINDOW_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', key, window)
  -- The fleet view's index of credentials in use (by last request), and their printable names.
  redis.call('ZADD', KEYS[2], now, ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[4], ARGV[5]) end
  return 0
end
local blocking = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
local wait = tonumber(blocking[2]) + window - now
if wait < 1 then wait = 1 end
return wait
`;
/** How long a Newbook throttle (429) of a credential counts in the fleet view. */
export const THROTTLE_MEMORY_MS = 60 * 60_000;

/**
 * Keys beside the per-credential windows that let the fleet view list budgets without scanning Redis:
 * credentials by last request (a sorted set trimmed to the window), their printable names
 * (username@host/region, never a secret) and recent throttles (`<credential>:<ms>:<id>` members).
 */
export function budgetKeys(prefix: string): { active: string; labels: string; throttled: string } {
  return {
    active: `${prefix}:ratelimit-active`,
    labels: `${prefix}:ratelimit-labels`,
    throttled: `${prefix}:ratelimit-throttled`,
  };
}

const SCRIPT_SHA = createHash("sha1").update(SLIDING_WINDOW_SCRIPT).digest("hex");

export interface SlidingWindowLimiterOptions {
  redis: Redis;
  /** Key namespace, e.g. the queue prefix: keys are `${prefix}:ratelimit:${credentialKey}`. */
  prefix: string;
  /** Requests allowed in any window of `windowMs`. */
  limit: number;
  windowMs: number;
  /**
   * Extra time each request keeps its slot. We count when a slot is granted, Newbook counts when the
   * request arrives; the gap varies (event loop, connection set-up), and without this margin two
   * requests granted exactly a window apart can arrive less than a window apart. Default 5% of the
   * window, at most 1 s.
   */
  guardMs?: number;
  /** Give up (RateLimitWaitError) rather than wait longer than this for one slot. Default 3 windows. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sliding-window-log limiter: a sorted set of request times per credential, shared through Redis. */
export class SlidingWindowRateLimiter implements SlotSource {
  private readonly maxWaitMs: number;
  private readonly heldMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: SlidingWindowLimiterOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new Error("limit must be a positive integer");
    if (!(options.windowMs > 0)) throw new Error("windowMs must be positive");
    this.heldMs = options.windowMs + (options.guardMs ?? Math.min(1000, Math.round(options.windowMs * 0.05)));
    this.maxWaitMs = options.maxWaitMs ?? 3 * options.windowMs;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  keyFor(credentialKey: string): string {
    return `${this.options.prefix}:ratelimit:${credentialKey}`;
  }

  /** Newbook throttled this credential (HTTP 429): remembered for an hour for the fleet view. */
  async noteThrottled(credentialKey: string): Promise<void> {
    const key = budgetKeys(this.options.prefix).throttled;
    const now = this.now();
    await this.options.redis
      .multi()
      .zadd(key, now, `${credentialKey}:${now}:${randomUUID()}`)
      .zremrangebyscore(key, "-inf", now - THROTTLE_MEMORY_MS)
      .pexpire(key, THROTTLE_MEMORY_MS)
      .exec();
  }

  async acquire(credentialKey: string, label?: string): Promise<void> {
    const started = this.now();
    for (;;) {
      // A fresh member per try: simultaneous requests must never collapse into one set entry.
      const waitMs = await this.tryTake(credentialKey, `${process.pid}:${randomUUID()}`, label);
      if (waitMs === 0) return;
      const waited = this.now() - started;
      if (waited + waitMs > this.maxWaitMs) throw new RateLimitWaitError(credentialKey, waited);
      await this.sleep(waitMs);
    }
  }

  async tryAcquire(credentialKey: string, label?: string): Promise<number> {
    return this.tryTake(credentialKey, `${process.pid}:${randomUUID()}`, label);
  }

  private async tryTake(credentialKey: string, member: string, label = ""): Promise<number> {
    const { redis, limit, prefix } = this.options;
    const { active, labels } = budgetKeys(prefix);
    const keys = [this.keyFor(credentialKey), active, labels];
    const args = [...keys, String(limit), String(this.heldMs), member, credentialKey, label];
    try {
      return Number(await redis.evalsha(SCRIPT_SHA, keys.length, ...args));
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
      return Number(await redis.eval(SLIDING_WINDOW_SCRIPT, keys.length, ...args));
    }
  }
}

/** The production limiter: NEWBOOK_RATE_LIMIT requests per NEWBOOK_RATE_WINDOW_MS, under QUEUE_PREFIX. */
export function rateLimiterFromConfig(
  config: Pick<Config, "QUEUE_PREFIX" | "NEWBOOK_RATE_LIMIT" | "NEWBOOK_RATE_WINDOW_MS">,
  redis: Redis,
  overrides: Partial<Omit<SlidingWindowLimiterOptions, "redis">> = {},
): SlidingWindowRateLimiter {
  return new SlidingWindowRateLimiter({
    redis,
    prefix: config.QUEUE_PREFIX,
    limit: config.NEWBOOK_RATE_LIMIT,
    windowMs: config.NEWBOOK_RATE_WINDOW_MS,
    ...overrides,
  });
}
