import { createHash } from "node:crypto";
import type { Logger } from "@occ/core";
import type { Redis } from "ioredis";
import { ApiError } from "../errors";
import { withTimeout } from "./with-timeout";

export interface LoginLimits {
  windowMs: number;
  /** Attempts (good or bad) per client IP per window. */
  perIp: number;
  /** Failed attempts per account per window; a successful login clears it. */
  perAccount: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perIp: 50, perAccount: 10 };

/**
 * Fixed-window counters in Redis, shared by every API replica. When Redis cannot answer the limiter
 * lets the attempt through (logged): a Redis outage must not lock every user out.
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly logger: Logger,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly timeoutMs = 1_000,
  ) {}

  private ipKey(ip: string): string {
    return `${this.keyPrefix}:login:ip:${ip}`;
  }

  private accountKey(email: string): string {
    const digest = createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 32);
    return `${this.keyPrefix}:login:account:${digest}`;
  }

  /** Counts this attempt against the IP and throws 429 when the IP or the account is over its limit. */
  async admit(ip: string, email: string): Promise<void> {
    const ipKey = this.ipKey(ip);
    const accountKey = this.accountKey(email);
    let result: [number, number, number, number];
    try {
      result = await withTimeout(this.count(ipKey, accountKey), this.timeoutMs, "Redis (login limiter)");
    } catch (error) {
      this.logger.warn("login limiter unavailable; attempt allowed", { error });
      return;
    }
    const [ipCount, ipTtl, accountFailures, accountTtl] = result;
    if (accountFailures >= this.limits.perAccount)
      throw tooMany("Too many failed sign-in attempts for this account", accountTtl);
    if (ipCount > this.limits.perIp) throw tooMany("Too many sign-in attempts from this address", ipTtl);
  }

  private async count(ipKey: string, accountKey: string): Promise<[number, number, number, number]> {
    const replies = await this.redis
      .multi()
      .incr(ipKey)
      .pexpire(ipKey, this.limits.windowMs, "NX")
      .pttl(ipKey)
      .get(accountKey)
      .pttl(accountKey)
      .exec();
    const value = (i: number) => Number(replies?.[i]?.[1] ?? 0);
    return [value(0), value(2), value(3), value(4)];
  }

  async recordFailure(email: string): Promise<void> {
    const key = this.accountKey(email);
    await withTimeout(
      this.redis.multi().incr(key).pexpire(key, this.limits.windowMs, "NX").exec(),
      this.timeoutMs,
      "Redis (login limiter)",
    ).catch((error: unknown) => this.logger.warn("could not record failed login", { error }));
  }

  async recordSuccess(email: string): Promise<void> {
    await withTimeout(this.redis.del(this.accountKey(email)), this.timeoutMs, "Redis (login limiter)").catch(
      (error: unknown) => this.logger.warn("could not reset login failures", { error }),
    );
  }
}

function tooMany(reason: string, ttlMs: number): ApiError {
  const retryAfter = Math.max(1, Math.ceil(ttlMs / 1000));
  const minutes = Math.ceil(retryAfter / 60);
  return new ApiError(
    429,
    "too_many_attempts",
    `${reason}; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
    { retry_after_seconds: retryAfter },
    { "Retry-After": String(retryAfter) },
  );
}
