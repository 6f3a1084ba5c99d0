import { setTimeout as sleep } from "node:timers/promises";
import {
  type Config,
  type Logger,
  type NewbookConnection,
  newbookClientOptionsFromConfig,
  registerSecret,
  type SlotSource,
} from "@occ/core";
import { ApiError } from "../errors";
import { assertAllowedBaseUrl, missingSecrets, REBIND_RULE, sameBinding } from "./connection";
import {
  type ConnectionTestResult,
  LimiterUnavailableError,
  OwnBudgetUsedUpError,
  ProbeUnavailableError,
} from "./newbook-probe";
import type { NewbookProbePool, TakeSlot } from "./newbook-probe-pool";
import { withTimeout } from "./with-timeout";

export interface ConnectionTestInput {
  base_url?: string;
  region?: string;
  username?: string;
  password?: string;
  api_key?: string;
}

export type { ConnectionTestResult };

/** Unsaved values from the form take precedence; anything missing comes from the saved connection. */
export function connectionToTest(
  saved: NewbookConnection | null,
  input: ConnectionTestInput,
): NewbookConnection {
  registerSecret(input.password);
  registerSecret(input.api_key);
  const merged = {
    baseUrl: input.base_url ?? saved?.baseUrl,
    region: input.region ?? saved?.region,
    username: input.username ?? saved?.username,
    password: input.password ?? saved?.password,
    apiKey: input.api_key ?? saved?.apiKey,
  };
  if (saved && !(input.password && input.api_key) && !sameBinding(saved, merged as NewbookConnection))
    throw missingSecrets(input, REBIND_RULE);
  const missing = (
    [
      ["base_url", merged.baseUrl],
      ["region", merged.region],
      ["username", merged.username],
      ["password", merged.password],
      ["api_key", merged.apiKey],
    ] as const
  ).filter(([, value]) => !value);
  if (missing.length > 0)
    throw ApiError.badRequest(
      "validation_error",
      `Invalid body: ${missing.map(([f]) => f).join(", ")} required (nothing saved to fall back on)`,
      missing.map(([field]) => ({ field, message: `${field} is required (nothing saved to fall back on)` })),
    );
  return merged as NewbookConnection;
}

// A person is waiting on the button: fail in seconds rather than ride out a long Newbook outage.
const TEST_LIMITS = { maxRetries: 1, timeoutMs: 15_000, retryMaxTotalMs: 10_000 };

/**
 * A person waits on the button: a slot of the credential's own budget that frees within this long is
 * waited for (outside Newbook's deadline); a longer wait is answered at once with 429 and when to retry.
 */
export const BUDGET_WAIT_MS = 5_000;

/**
 * Slots from the shared limiter, each Redis round-trip bounded by `redisTimeoutMs`: a Redis that does not
 * answer in time is LimiterUnavailableError (a 503 of ours), a budget without a slot soon enough is
 * OwnBudgetUsedUpError (429). Neither is a verdict on Newbook.
 */
function slotsFrom(limiter: SlotSource, redisTimeoutMs: number): TakeSlot {
  return async (key) => {
    const started = performance.now();
    for (;;) {
      const waitMs = await withTimeout(limiter.tryAcquire(key), redisTimeoutMs, "Redis (rate limiter)").catch(
        (error: unknown) => {
          throw new LimiterUnavailableError(error instanceof Error ? error.message : String(error));
        },
      );
      if (waitMs === 0) return;
      if (performance.now() - started + waitMs > BUDGET_WAIT_MS) throw new OwnBudgetUsedUpError(waitMs);
      await sleep(waitMs);
    }
  };
}

/** The 429 of a used-up budget: ours, named, with when to retry (Retry-After and in the message). */
function ownBudgetUsedUp(retryAfterMs: number): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ApiError(
    429,
    "rate_limited",
    "This Newbook connection's request budget (our own limit, shared with its syncs) is used up, so " +
      `Newbook was not asked; try again in ${seconds} seconds`,
    { reason: "own_rate_limit", retry_after_seconds: seconds },
    { "Retry-After": String(seconds) },
  );
}

/**
 * Calls Newbook with the credentials in a worker thread of the pool; Newbook has NEWBOOK_TEST_TIMEOUT_MS
 * from its first request, not counting waits for our own budget (BUDGET_WAIT_MS at most per request).
 * Newbook's answers, including rejections, are results (ok: false with a reason a manager can act on),
 * not HTTP errors; our own budget (429) and our Redis or thread (503) are errors that say Newbook was not
 * asked.
 */
export async function testNewbookConnection(
  connection: NewbookConnection,
  deps: {
    config: Config;
    rateLimiter: SlotSource;
    redisTimeoutMs: number;
    pool: NewbookProbePool;
    logger: Logger;
  },
): Promise<ConnectionTestResult> {
  await assertAllowedBaseUrl(connection.baseUrl, deps.config.NEWBOOK_ALLOWED_HOSTS);
  const options = newbookClientOptionsFromConfig(deps.config, connection);
  const deadlineMs = deps.config.NEWBOOK_TEST_TIMEOUT_MS;
  try {
    return await deps.pool.run(
      {
        ...options,
        maxRetries: Math.min(options.maxRetries, TEST_LIMITS.maxRetries),
        timeoutMs: Math.min(options.timeoutMs, TEST_LIMITS.timeoutMs, deadlineMs),
        retryMaxTotalMs: Math.min(options.retryMaxTotalMs, TEST_LIMITS.retryMaxTotalMs, deadlineMs),
      },
      slotsFrom(deps.rateLimiter, deps.redisTimeoutMs),
      deadlineMs,
    );
  } catch (error) {
    if (error instanceof OwnBudgetUsedUpError) throw ownBudgetUsedUp(error.retryAfterMs);
    if (error instanceof LimiterUnavailableError) {
      deps.logger.warn("newbook connection test: the rate limiter's Redis did not answer", {
        error: error.message,
      });
      throw new ApiError(
        503,
        "service_unavailable",
        "The service is temporarily unavailable (our rate limiter did not answer), so Newbook was not " +
          "asked; try again shortly",
      );
    }
    if (error instanceof ProbeUnavailableError) {
      deps.logger.error("newbook connection test could not start", { error: error.message });
      throw new ApiError(
        503,
        "service_unavailable",
        "The connection test could not start on our side (Newbook was not contacted); try again shortly",
      );
    }
    throw error;
  }
}
