import { createHash, randomUUID } from "node:crypto";
import type { Config } from "../config";
import type { RedisClient } from "../redis/clients";
import type { SlotSource } from "./deferring";
import { RateLimitWaitError } from "./rate-limiter";

// Runs atomically in Redis, on Redis's clock, so processes on machines with skewed clocks share one
// window (ARGV[2] = how long a request holds its slot). Takes ARGV[4] slots at once (at most `limit`) or
// none: returns 0 when they were taken, else the ms until enough counted requests leave the window.
const SLIDING_WINDOW_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local slots = math.min(tonumber(ARGV[4]), limit)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count + slots <= limit then
  for i = 1, slots do
    redis.call('ZADD', key, now, now .. ':' .. ARGV[3] .. ':' .. i)
  end
  redis.call('PEXPIRE', key, window)
  return 0
end
local blocking = redis.call('ZRANGE', key, count + slots - limit - 1, count + slots - limit - 1, 'WITHSCORES')
local wait = tonumber(blocking[2]) + window - now
if wait < 1 then wait = 1 end
return wait
`;
const SCRIPT_SHA = createHash("sha1").update(SLIDING_WINDOW_SCRIPT).digest("hex");

/** How long a Newbook throttle (429) of a credential counts in the fleet view. */
export const THROTTLE_MEMORY_MS = 60 * 60_000;

/**
 * Keys beside the per-credential windows that let the fleet view list budgets without scanning Redis:
 * credentials by last use (a sorted set trimmed to the window), their printable names
 * (username@host/region, never a secret) and recent throttles (`<credential>:<ms>:<id>` members). One
 * hash tag, so a Redis Cluster keeps them in one slot and each update is one MULTI; the limiter's own
 * script keeps its single per-credential key.
 */
export function budgetKeys(prefix: string): { active: string; labels: string; throttled: string } {
  return {
    active: `${prefix}:{ratelimit-fleet}:active`,
    labels: `${prefix}:{ratelimit-fleet}:labels`,
    throttled: `${prefix}:{ratelimit-fleet}:throttled`,
  };
}

export interface SlidingWindowLimiterOptions {
  redis: RedisClient;
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
  /** When this process last listed each credential in the fleet index (see noteActive). */
  private readonly lastNoted = new Map<string, number>();

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

  /**
   * Lists the credential in the fleet view's index. At most a few times per window per credential and
   * process: the view needs "in use during the current window", not every request's time, and the hot
   * path stays one script call.
   */
  private async noteActive(credentialKey: string, label: string | undefined): Promise<void> {
    const now = this.now();
    const every = this.heldMs / 4;
    if (now - (this.lastNoted.get(credentialKey) ?? Number.NEGATIVE_INFINITY) < every) return;
    this.lastNoted.set(credentialKey, now);
    if (this.lastNoted.size > 10_000) this.lastNoted.clear();
    const { active, labels } = budgetKeys(this.options.prefix);
    const write = this.options.redis
      .multi()
      .zadd(active, now, credentialKey)
      .zremrangebyscore(active, "-inf", now - this.heldMs);
    if (label) write.hset(labels, credentialKey, label);
    await write.exec();
  }

  async acquire(credentialKey: string, label?: string): Promise<void> {
    const started = this.now();
    const key = this.keyFor(credentialKey);
    for (;;) {
      // A fresh member per try: simultaneous requests must never collapse into one set entry.
      const waitMs = await this.tryTake(key, `${process.pid}:${randomUUID()}`, 1);
      if (waitMs === 0) return this.noteActive(credentialKey, label);
      const waited = this.now() - started;
      if (waited + waitMs > this.maxWaitMs) throw new RateLimitWaitError(credentialKey, waited);
      await this.sleep(waitMs);
    }
  }

  async tryAcquire(credentialKey: string, slots = 1, label?: string): Promise<number> {
    if (!Number.isInteger(slots) || slots < 1) throw new Error("slots must be a positive integer");
    const waitMs = await this.tryTake(this.keyFor(credentialKey), `${process.pid}:${randomUUID()}`, slots);
    if (waitMs === 0) await this.noteActive(credentialKey, label);
    return waitMs;
  }

  private async tryTake(key: string, member: string, slots: number): Promise<number> {
    const { redis, limit } = this.options;
    const args = [key, String(limit), String(this.heldMs), member, String(slots)];
    try {
      return Number(await redis.evalsha(SCRIPT_SHA, 1, ...args));
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
      return Number(await redis.eval(SLIDING_WINDOW_SCRIPT, 1, ...args));
    }
  }
}

/** The production limiter: NEWBOOK_RATE_LIMIT requests per NEWBOOK_RATE_WINDOW_MS, under QUEUE_PREFIX. */
export function rateLimiterFromConfig(
  config: Pick<Config, "QUEUE_PREFIX" | "NEWBOOK_RATE_LIMIT" | "NEWBOOK_RATE_WINDOW_MS">,
  redis: RedisClient,
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
