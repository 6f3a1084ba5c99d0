import type { Config } from "../config";
import type { Logger } from "../logger";
import { credentialKey, credentialLabel, type RateLimiter } from "../ratelimit";
import { registerSecret } from "../redact";
import {
  type BookingListing,
  getBooking,
  type KnownBooking,
  type KnownBookings,
  type ListingOptions,
  listBookingsUnlessUnchanged,
} from "./actions/bookings";
import { listGlAccounts, listSites, type SitesAction } from "./actions/inventory";
import { earnedRevenue, reportsOccupancy } from "./actions/reports";
import { NewbookCaller } from "./call";
import type { NewbookAgents } from "./http-agent";
import type { NewbookCallStats, NewbookRequestEvent } from "./stats";
import { NewbookTransport } from "./transport";
import type {
  EarnedRevenueRow,
  NewbookBooking,
  NewbookGlAccount,
  NewbookSite,
  OccupancyReportCategory,
} from "./types";

export type { BookingListing, KnownBooking, KnownBookings } from "./actions/bookings";
export { answerDigest } from "./answers";

export interface NewbookConnection {
  /** e.g. https://api.newbook.cloud/rest; actions are POSTed to `${baseUrl}/${action}`. */
  baseUrl: string;
  region: string;
  username: string;
  password: string;
  apiKey: string;
}

export interface NewbookClientOptions extends NewbookConnection {
  /** Whole-attempt budget: connect, send, wait and read. */
  timeoutMs: number;
  connectTimeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxTotalMs: number;
  /** Cap of one backoff step before jitter; default 30 s. */
  retryMaxDelayMs?: number;
  /** Consulted before every HTTP attempt, retries included. */
  rateLimiter?: RateLimiter;
  /** Pooled keep-alive agents of this credential (NewbookAgentPool); left open by close(). Default: own. */
  agents?: NewbookAgents;
  onRequest?: (event: NewbookRequestEvent) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  logger?: Logger;
  /** Largest answer read, in bytes (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** Rows per bookings_list page; Newbook's maximum is 1000. */
  pageSize?: number;
  /** A listing needing more pages than this is treated as a runaway and fails. */
  maxPages?: number;
  /**
   * Pages of one listing in flight at once once the first page has told data_total (default 4); each
   * still takes its own rate-limit slot. 1 reads pages strictly one after another.
   */
  pageConcurrency?: number;
}

export const BOOKING_LIST_TYPES = [
  "staying",
  "arrived",
  "arriving",
  "departed",
  "departing",
  "placed",
  "cancelled",
  "no_show",
  "all",
] as const;
export type BookingListType = (typeof BOOKING_LIST_TYPES)[number];

export interface ListBookingsQuery {
  /** YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, property-local. */
  periodFrom: string;
  periodTo: string;
  listType: BookingListType;
}

const DEFAULT_PAGE_SIZE = 1000;
const DEFAULT_MAX_PAGES = 1000;
const DEFAULT_PAGE_CONCURRENCY = 4;
const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One Newbook credential: typed actions over POST + JSON, with retries, timeouts and the shared rate limit.
 * The work is done by the transport (HTTP), the caller (retries and budget) and the actions (one module
 * per group of endpoints); this class wires them together for one credential.
 */
export class NewbookClient {
  private readonly transport: NewbookTransport;
  private readonly caller: NewbookCaller;
  private readonly listing: ListingOptions;
  private readonly sites: { action: SitesAction } = { action: "sites_list" };

  constructor(options: NewbookClientOptions) {
    registerSecret(options.password);
    registerSecret(options.apiKey);
    this.transport = new NewbookTransport(options);
    this.caller = new NewbookCaller({
      transport: this.transport,
      policy: {
        maxRetries: options.maxRetries,
        baseMs: options.retryBaseMs,
        maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS,
        maxTotalMs: options.retryMaxTotalMs,
      },
      credentialKey: credentialKey(options),
      credentialLabel: credentialLabel(options),
      rateLimiter: options.rateLimiter,
      onRequest: options.onRequest,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      logger: options.logger,
    });
    this.listing = {
      pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
      maxPages: options.maxPages ?? DEFAULT_MAX_PAGES,
      pageConcurrency: options.pageConcurrency ?? DEFAULT_PAGE_CONCURRENCY,
      logger: options.logger,
    };
    if (!Number.isInteger(this.listing.pageConcurrency) || this.listing.pageConcurrency < 1) {
      throw new Error("pageConcurrency must be a positive integer");
    }
  }

  /** Attempts made so far (retries included) by action and outcome. */
  get stats(): NewbookCallStats {
    return this.caller.counter.snapshot();
  }

  /** Closes the client's own keep-alive sockets (pooled ones stay open for the credential's next client). */
  close(): void {
    this.transport.close();
  }

  /**
   * Secures rate-limit slots for the next `requests` requests at once, before sending any of them, when
   * the limiter reserves (a worker's run: RunBudget); otherwise each request takes its slot as it goes.
   */
  reserveRequests(requests: number): Promise<void> {
    return this.caller.reserve(requests);
  }

  async authTest(): Promise<void> {
    await this.caller.call("auth_test", {}, () => ({ ok: true, value: undefined }));
  }

  /** Every booking of the listing (see listBookingsUnlessUnchanged in actions/bookings.ts). */
  async listBookings(query: ListBookingsQuery): Promise<NewbookBooking[]> {
    const { bookings } = await this.listBookingsUnlessUnchanged(query, []);
    // Nothing was given to recognise, so the listing was read.
    return bookings ?? [];
  }

  /**
   * Like listBookings, with the raw pages' digests. `previousPages`: the digests of an earlier single-page
   * read of the same listing; when the first page comes back byte-identical (and so complete), it is
   * neither parsed nor validated and `bookings` is null: the caller already holds its result.
   */
  listBookingsUnlessUnchanged<K extends KnownBooking = never>(
    query: ListBookingsQuery,
    previousPages: readonly string[],
    knownBookings?: KnownBookings<K>,
  ): Promise<BookingListing<K>> {
    return listBookingsUnlessUnchanged(this.caller, this.listing, query, previousPages, knownBookings);
  }

  getBooking(bookingId: string): Promise<NewbookBooking> {
    return getBooking(this.caller, bookingId);
  }

  /** The room inventory; uses the `site_list` alias when the account does not know `sites_list`. */
  listSites(): Promise<NewbookSite[]> {
    return listSites(this.caller, this.sites);
  }

  reportsOccupancy(periodFrom: string, periodTo: string): Promise<OccupancyReportCategory[]> {
    return reportsOccupancy(this.caller, periodFrom, periodTo);
  }

  listGlAccounts(): Promise<NewbookGlAccount[]> {
    return listGlAccounts(this.caller);
  }

  earnedRevenue(
    periodFrom: string,
    periodTo: string,
    options: { increment?: "day" } = {},
  ): Promise<EarnedRevenueRow[]> {
    return earnedRevenue(this.caller, periodFrom, periodTo, options);
  }
}

/** Client options for one connection with the retry/timeout settings from the environment. */
export function newbookClientOptionsFromConfig(
  config: Pick<
    Config,
    | "NEWBOOK_TIMEOUT_MS"
    | "NEWBOOK_CONNECT_TIMEOUT_MS"
    | "NEWBOOK_MAX_RETRIES"
    | "NEWBOOK_RETRY_BASE_MS"
    | "NEWBOOK_RETRY_MAX_TOTAL_MS"
    | "NEWBOOK_MAX_RESPONSE_BYTES"
  >,
  connection: NewbookConnection,
): NewbookClientOptions {
  return {
    ...connection,
    timeoutMs: config.NEWBOOK_TIMEOUT_MS,
    connectTimeoutMs: config.NEWBOOK_CONNECT_TIMEOUT_MS,
    maxRetries: config.NEWBOOK_MAX_RETRIES,
    retryBaseMs: config.NEWBOOK_RETRY_BASE_MS,
    retryMaxTotalMs: config.NEWBOOK_RETRY_MAX_TOTAL_MS,
    maxResponseBytes: config.NEWBOOK_MAX_RESPONSE_BYTES,
  };
}
