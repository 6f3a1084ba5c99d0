import { NewbookAuthError, NewbookProtocolError, NewbookServerError, NewbookThrottledError } from "./errors";
import {
  fullJitterDelay,
  MAX_PROTOCOL_RETRIES,
  type NewbookRetryPolicy,
  nextRetryDelay,
  parseRetryAfter,
} from "./retry";

const policy: NewbookRetryPolicy = { maxRetries: 4, baseMs: 100, maxDelayMs: 1000, maxTotalMs: 10_000 };
const server = new NewbookServerError("bookings_list", 503);

describe("fullJitterDelay", () => {
  it("spans [0, base * 2^attempt) with the injected random", () => {
    expect(fullJitterDelay(0, policy, () => 0)).toBe(0);
    expect(fullJitterDelay(0, policy, () => 0.999)).toBe(99);
    expect(fullJitterDelay(2, policy, () => 0.5)).toBe(200);
    expect(fullJitterDelay(3, policy, () => 0.999)).toBe(799);
  });

  it("never exceeds the cap however many attempts were made", () => {
    for (const attempt of [4, 5, 10, 40]) {
      expect(fullJitterDelay(attempt, policy, () => 0.999)).toBe(999);
    }
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");

  it("reads delta-seconds", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfter("Sun, 01 Jun 2025 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Sun, 01 Jun 2025 11:59:00 GMT", now)).toBe(0);
  });

  it("ignores absent or unreadable values", () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter("", now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
  });
});

describe("nextRetryDelay", () => {
  const base = { retriesSoFar: 0, elapsedMs: 0, retryAfterMs: null, policy, random: () => 0.5 };

  it("backs off with jitter for retryable errors", () => {
    expect(nextRetryDelay({ ...base, error: server })).toBe(50);
    expect(nextRetryDelay({ ...base, error: server, retriesSoFar: 2 })).toBe(200);
  });

  it("fails non-retryable errors at once", () => {
    const auth = new NewbookAuthError("bookings_list", "basic", 401);
    expect(nextRetryDelay({ ...base, error: auth })).toBeNull();
  });

  it("stops after maxRetries", () => {
    expect(nextRetryDelay({ ...base, error: server, retriesSoFar: 3 })).not.toBeNull();
    expect(nextRetryDelay({ ...base, error: server, retriesSoFar: 4 })).toBeNull();
  });

  it("retries protocol errors only a couple of times", () => {
    const protocol = new NewbookProtocolError("bookings_list", "not JSON");
    expect(
      nextRetryDelay({ ...base, error: protocol, retriesSoFar: MAX_PROTOCOL_RETRIES - 1 }),
    ).not.toBeNull();
    expect(nextRetryDelay({ ...base, error: protocol, retriesSoFar: MAX_PROTOCOL_RETRIES })).toBeNull();
  });

  it("waits at least as long as Retry-After asks", () => {
    const throttled = new NewbookThrottledError("bookings_list", 429, 3000);
    expect(nextRetryDelay({ ...base, error: throttled, retryAfterMs: 3000 })).toBe(3000);
    // A jittered backoff longer than Retry-After wins.
    expect(
      nextRetryDelay({ ...base, error: throttled, retriesSoFar: 3, retryAfterMs: 10, random: () => 0.999 }),
    ).toBe(799);
  });

  it("does not start a wait that would end past the total budget", () => {
    expect(nextRetryDelay({ ...base, error: server, elapsedMs: 9_950 })).toBe(50);
    expect(nextRetryDelay({ ...base, error: server, elapsedMs: 9_951 })).toBeNull();
    const throttled = new NewbookThrottledError("bookings_list", 429, 20_000);
    expect(nextRetryDelay({ ...base, error: throttled, retryAfterMs: 20_000 })).toBeNull();
  });
});
