import { listParser } from "../answers";
import type { NewbookCaller } from "../call";
import { NewbookApiError } from "../errors";
import {
  type NewbookGlAccount,
  type NewbookSite,
  normaliseGlAccount,
  normaliseSite,
  rawGlAccountSchema,
  rawSiteSchema,
} from "../types";

export type SitesAction = "sites_list" | "site_list";

/**
 * The room inventory; uses the `site_list` alias when the account does not know `sites_list`, and
 * remembers that in `known` for the client's next call.
 */
export async function listSites(
  caller: NewbookCaller,
  known: { action: SitesAction },
): Promise<NewbookSite[]> {
  try {
    return await fetchSites(caller, known.action);
  } catch (error) {
    const unknown = error instanceof NewbookApiError && error.unknownAction;
    if (!unknown || known.action === "site_list") throw error;
    known.action = "site_list";
    return fetchSites(caller, known.action);
  }
}

function fetchSites(caller: NewbookCaller, action: SitesAction): Promise<NewbookSite[]> {
  return caller.call(action, {}, listParser(action, rawSiteSchema, normaliseSite));
}

export function listGlAccounts(caller: NewbookCaller): Promise<NewbookGlAccount[]> {
  const action = "gl_account_list";
  return caller.call(action, {}, listParser(action, rawGlAccountSchema, normaliseGlAccount));
}
