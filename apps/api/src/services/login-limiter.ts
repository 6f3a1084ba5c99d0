import { createHash } from "node:crypto";
import type { Logger, RedisClient } from "@occ/core";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "../errors";
import { withTimeout } from "./with-timeout";

export interface LoginLimits {
  /** Consecutive failures of one client on one account before delays start. */
  freeFailures: number;
  /** The delays double from 1 s per further failure up to this. */
  maxDelaySeconds: number;
  /** Failed attempts from one client address, any account, per ipWindowSeconds; then that address waits. */
  perIp: number;
  ipWindowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  freeFailures: 5,
  maxDelaySeconds: 15 * 60,
  perIp: 100,
  ipWindowSeconds: 60 * 60,
};

const DAY_SECONDS = 24 * 3600;

/**
 * Login throttling with rate-limiter-flexible on Redis (shared by every API replica), keyed by account
 * *and* client: a stranger's failures slow only the stranger down, so nobody can lock another user (the
 * admin included) out. Consecutive failures of one client on one account get delays that double (1 s,
 * 2 s, 4 s, ... up to maxDelaySeconds); one client's failures over all accounts are capped per hour.
 * A success clears the client's count for that account. When Redis cannot answer, the attempt is let
 * through (logged): a Redis outage must not lock every user out.
 */
export class LoginLimiter {
  /** Consecutive failures per account+client (never blocks by itself; reset by a success). */
  private readonly failures: RateLimiterRedis;
  /** The current delay per account+client, as a block of the given length. */
  private readonly delays: RateLimiterRedis;
  private readonly perIp: RateLimiterRedis;

  constructor(
    redis: RedisClient,
    keyPrefix: string,
    private readonly logger: Logger,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly timeoutMs = 1_000,
  ) {
    const store = { storeClient: redis, useRedisPackage: false };
    this.failures = new RateLimiterRedis({
      ...store,
      keyPrefix: `${keyPrefix}:login:fails`,
      points: Number.MAX_SAFE_INTEGER,
      duration: DAY_SECONDS,
    });
    this.delays = new RateLimiterRedis({
      ...store,
      keyPrefix: `${keyPrefix}:login:delay`,
      points: 1,
      duration: 1,
    });
    this.perIp = new RateLimiterRedis({
      ...store,
      keyPrefix: `${keyPrefix}:login:ip`,
      points: limits.perIp,
      duration: limits.ipWindowSeconds,
      blockDuration: limits.ipWindowSeconds,
    });
  }

  private accountClientKey(ip: string, email: string): string {
    const digest = createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 32);
    return `${digest}:${ip}`;
  }

  private bounded<T>(work: Promise<T>): Promise<T> {
    return withTimeout(work, this.timeoutMs, "Redis (login limiter)");
  }

  /** Throws 429 while this client must wait, for this account or for any. */
  async admit(ip: string, email: string): Promise<void> {
    let delay: RateLimiterRes | null;
    let ipState: RateLimiterRes | null;
    try {
      [delay, ipState] = await this.bounded(
        Promise.all([this.delays.get(this.accountClientKey(ip, email)), this.perIp.get(ip)]),
      );
    } catch (error) {
      this.logger.warn("login limiter unavailable; attempt allowed", { error });
      return;
    }
    if (delay && delay.consumedPoints > 1 && delay.msBeforeNext > 0)
      throw tooMany(
        "Too many failed sign-in attempts for this account from this address",
        delay.msBeforeNext,
      );
    if (ipState && ipState.consumedPoints > this.limits.perIp && ipState.msBeforeNext > 0)
      throw tooMany("Too many failed sign-in attempts from this address", ipState.msBeforeNext);
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    const key = this.accountClientKey(ip, email);
    try {
      const [failed] = await this.bounded(
        Promise.all([
          this.failures.consume(key),
          // Over the limit it rejects with the state, which is all we wanted: the address is now blocked.
          this.perIp.consume(ip).catch((state: unknown) => {
            if (!(state instanceof RateLimiterRes)) throw state;
          }),
        ]),
      );
      const beyond = failed.consumedPoints - this.limits.freeFailures;
      if (beyond > 0) {
        const seconds = Math.min(2 ** Math.min(beyond - 1, 30), this.limits.maxDelaySeconds);
        await this.bounded(this.delays.block(key, seconds));
      }
    } catch (error) {
      this.logger.warn("could not record failed login", { error });
    }
  }

  async recordSuccess(ip: string, email: string): Promise<void> {
    const key = this.accountClientKey(ip, email);
    await this.bounded(Promise.all([this.failures.delete(key), this.delays.delete(key)])).catch(
      (error: unknown) => this.logger.warn("could not reset login failures", { error }),
    );
  }
}

function tooMany(reason: string, waitMs: number): ApiError {
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  const wait = retryAfter < 120 ? `${retryAfter} seconds` : `${Math.ceil(retryAfter / 60)} minutes`;
  return new ApiError(
    429,
    "too_many_attempts",
    `${reason}; try again in ${wait}`,
    { retry_after_seconds: retryAfter },
    { "Retry-After": String(retryAfter) },
  );
}
