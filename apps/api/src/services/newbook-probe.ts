import { NewbookAuthError, NewbookClient, type NewbookClientOptions, NewbookThrottledError } from "@occ/core";

export type ConnectionTestResult =
  | {
      ok: true;
      rooms: number;
      categories: number;
      gl_accounts: { id: string; code: string | null; name: string; group: string | null }[];
    }
  | { ok: false; reason: string };

/**
 * The one answer for every failure that is not Newbook speaking: refused, reset, timed out, not HTTP, not
 * JSON, too big. Socket error texts would tell a closed port from a Redis or PostgreSQL one, which turns
 * "Test connection" into a port scanner.
 */
export const UNREACHABLE_REASON =
  "No valid Newbook answer from that address in time: check the base URL, or try again later";
export const THROTTLED_REASON =
  "Newbook is limiting the request rate for this connection; try again in a minute";

/**
 * Our side refused the probe thread a request slot (see OwnBudgetUsedUpError, LimiterUnavailableError):
 * the probe ends without asking Newbook, and the pool answers with the refusal, not a result.
 */
export class SlotRefusedError extends Error {}

/** The rate limiter's Redis did not answer in time: the route answers 503, not a result. */
export class LimiterUnavailableError extends Error {}

/**
 * The credential's request budget, our own limit shared with its syncs, has no free slot soon enough for a
 * person waiting on the button: the route answers 429 with when to retry, not a result.
 */
export class OwnBudgetUsedUpError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`the credential's request budget is used up for ${retryAfterMs} ms`);
    this.name = "OwnBudgetUsedUpError";
  }
}

/**
 * Our own probe thread did not start (it failed to load, or not within the pool's bootMs): Newbook was never
 * asked, so this is a 503 of ours, never "Newbook unreachable".
 */
export class ProbeUnavailableError extends Error {}

/** A thrown error as the result a manager sees: Newbook's own rejections are named, nothing else is. */
export function failureResult(error: unknown): ConnectionTestResult {
  if (error instanceof NewbookAuthError) return { ok: false, reason: error.message };
  if (error instanceof NewbookThrottledError) return { ok: false, reason: THROTTLED_REASON };
  return { ok: false, reason: UNREACHABLE_REASON };
}

/** Calls Newbook with the credentials (auth_test, sites_list, gl_account_list) and sums up the answers. */
export async function probeNewbook(options: NewbookClientOptions): Promise<ConnectionTestResult> {
  const client = new NewbookClient(options);
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
    if (error instanceof SlotRefusedError) throw error;
    return failureResult(error);
  } finally {
    client.close();
  }
}
