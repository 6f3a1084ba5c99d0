import {
  type Config,
  type Logger,
  type NewbookConnection,
  newbookClientOptionsFromConfig,
  type RateLimiter,
  RateLimitWaitError,
  registerSecret,
} from "@occ/core";
import { ApiError } from "../errors";
import { assertAllowedBaseUrl, missingSecrets, REBIND_RULE, sameBinding } from "./connection";
import { type ConnectionTestResult, LimiterUnavailableError, ProbeUnavailableError } from "./newbook-probe";
import type { NewbookProbePool } from "./newbook-probe-pool";
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

// The limiter waits up to its own maximum for a free slot; beyond that, Redis itself is not answering.
const LIMITER_TIMEOUT_MS = 12_000;

/** Redis failures inside the limiter become one recognisable error (a 503), never a 500. */
function boundedLimiter(inner: RateLimiter): RateLimiter {
  return {
    acquire: (key) =>
      withTimeout(inner.acquire(key), LIMITER_TIMEOUT_MS, "Redis (rate limiter)").catch((error: unknown) => {
        if (error instanceof RateLimitWaitError) throw error;
        throw new LimiterUnavailableError(error instanceof Error ? error.message : String(error));
      }),
  };
}

/**
 * Calls Newbook with the credentials in a worker thread of the pool, within NEWBOOK_TEST_TIMEOUT_MS.
 * Newbook's answers, including rejections, are results (ok: false with a reason a manager can act on),
 * not HTTP errors.
 */
export async function testNewbookConnection(
  connection: NewbookConnection,
  deps: { config: Config; rateLimiter: RateLimiter; pool: NewbookProbePool; logger: Logger },
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
      boundedLimiter(deps.rateLimiter),
      deadlineMs,
    );
  } catch (error) {
    if (error instanceof LimiterUnavailableError)
      throw new ApiError(
        503,
        "service_unavailable",
        "The shared Newbook rate limiter (Redis) is unreachable; try again shortly",
      );
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
