import {
  type Config,
  type Logger,
  NewbookClient,
  type NewbookConnection,
  NewbookError,
  newbookClientOptionsFromConfig,
  type RateLimiter,
  RateLimitWaitError,
  registerSecret,
} from "@occ/core";
import { ApiError } from "../errors";
import { withTimeout } from "./with-timeout";

export interface ConnectionTestInput {
  base_url?: string;
  region?: string;
  username?: string;
  password?: string;
  api_key?: string;
}

export type ConnectionTestResult =
  | {
      ok: true;
      rooms: number;
      categories: number;
      gl_accounts: { id: string; code: string | null; name: string; group: string | null }[];
    }
  | { ok: false; reason: string };

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

class LimiterUnavailableError extends Error {}

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
 * Calls Newbook with the credentials (auth_test, sites_list, gl_account_list). Newbook's answers,
 * including rejections, are results (ok: false with a reason a manager can act on), not HTTP errors.
 */
export async function testNewbookConnection(
  connection: NewbookConnection,
  deps: { config: Config; rateLimiter: RateLimiter; logger: Logger },
): Promise<ConnectionTestResult> {
  const options = newbookClientOptionsFromConfig(deps.config, connection);
  const client = new NewbookClient({
    ...options,
    maxRetries: Math.min(options.maxRetries, TEST_LIMITS.maxRetries),
    timeoutMs: Math.min(options.timeoutMs, TEST_LIMITS.timeoutMs),
    retryMaxTotalMs: Math.min(options.retryMaxTotalMs, TEST_LIMITS.retryMaxTotalMs),
    rateLimiter: boundedLimiter(deps.rateLimiter),
    logger: deps.logger,
  });
  try {
    await client.authTest();
    const sites = await client.listSites();
    const glAccounts = await client.listGlAccounts();
    const categories = new Set(sites.map((site) => site.categoryId ?? site.categoryName).filter(Boolean));
    return {
      ok: true,
      rooms: sites.length,
      categories: categories.size,
      gl_accounts: glAccounts.map((account) => ({
        id: account.id,
        code: account.code,
        name: account.name ?? account.code ?? account.id,
        group: account.groupName,
      })),
    };
  } catch (error) {
    if (error instanceof NewbookError || error instanceof RateLimitWaitError)
      return { ok: false, reason: error.message };
    if (error instanceof LimiterUnavailableError)
      throw new ApiError(
        503,
        "service_unavailable",
        "The shared Newbook rate limiter (Redis) is unreachable; try again shortly",
      );
    throw error;
  } finally {
    client.close();
  }
}
