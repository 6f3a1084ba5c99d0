import axios, { type AxiosInstance } from "axios";
import { z } from "zod";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { credentialKey, type RateLimiter } from "../ratelimit";
import { registerSecret } from "../redact";
import {
  type Classified,
  classifyAnswer,
  classifyTransportFailure,
  type Envelope,
  protocolErrorFromZod,
} from "./classify";
import { NewbookApiError, type NewbookError, NewbookThrottledError } from "./errors";
import { createAgents } from "./http-agent";
import {
  boundedList,
  DEFAULT_MAX_RESPONSE_BYTES,
  isResponseTooLarge,
  MAX_REQUEST_BYTES,
  responseTooLargeError,
} from "./limits";
import { type ListingPage, readListing } from "./paging";
import { type NewbookRetryPolicy, nextRetryDelay } from "./retry";
import { NewbookCallCounter, type NewbookCallStats, type NewbookRequestEvent } from "./stats";
import {
  type EarnedRevenueRow,
  looseInt,
  type NewbookBooking,
  type NewbookGlAccount,
  type NewbookSite,
  normaliseBooking,
  normaliseEarnedRevenue,
  normaliseGlAccount,
  normaliseOccupancyCategory,
  normaliseSite,
  type OccupancyReportCategory,
  rawBookingSchema,
  rawEarnedRevenueSchema,
  rawGlAccountSchema,
  rawOccupancyCategorySchema,
  rawSiteSchema,
} from "./types";

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

/** Reads the typed result out of a successful envelope, or says which field is wrong. */
type EnvelopeParser<T> = (envelope: Envelope) => { ok: true; value: T } | { ok: false; error: NewbookError };

/** Validates the whole envelope (list pages need data_total beside data) or only its `data`. */
function parser<T, R>(
  action: string,
  at: "envelope" | "data",
  schema: z.ZodType<T>,
  map: (value: T) => R,
): EnvelopeParser<R> {
  return (envelope) => {
    const parsed = schema.safeParse(at === "data" ? envelope.data : envelope);
    if (!parsed.success) {
      return { ok: false, error: protocolErrorFromZod(action, parsed.error, at === "data" ? ["data"] : []) };
    }
    return { ok: true, value: map(parsed.data) };
  };
}

const dataParser = <T, R>(action: string, schema: z.ZodType<T>, map: (value: T) => R) =>
  parser(action, "data", schema, map);

// Newbook sends an empty list as [], but some accounts omit `data` or send null when nothing matches.
const list = boundedList;

const bookingPageSchema = z.looseObject({
  data: list(rawBookingSchema),
  data_total: looseInt.optional(),
});

/** One Newbook credential: typed actions over POST + JSON, with retries, timeouts and the shared rate limit. */
export class NewbookClient {
  private readonly http: AxiosInstance;
  private readonly agents: ReturnType<typeof createAgents>;
  private readonly credentialKey: string;
  private readonly policy: NewbookRetryPolicy;
  private readonly counter = new NewbookCallCounter();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly pageConcurrency: number;
  private sitesAction: "sites_list" | "site_list" = "sites_list";

  constructor(private readonly options: NewbookClientOptions) {
    registerSecret(options.password);
    registerSecret(options.apiKey);
    this.agents = createAgents(options.connectTimeoutMs);
    this.http = axios.create({
      baseURL: `${options.baseUrl.replace(/\/+$/, "")}/`,
      auth: { username: options.username, password: options.password },
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      timeout: options.timeoutMs,
      httpAgent: this.agents.httpAgent,
      httpsAgent: this.agents.httpsAgent,
      // Every status and body is interpreted by classifyAnswer, including malformed JSON.
      validateStatus: () => true,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      maxContentLength: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      maxBodyLength: MAX_REQUEST_BYTES,
    });
    this.credentialKey = credentialKey(options);
    this.policy = {
      maxRetries: options.maxRetries,
      baseMs: options.retryBaseMs,
      maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS,
      maxTotalMs: options.retryMaxTotalMs,
    };
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    this.pageConcurrency = options.pageConcurrency ?? DEFAULT_PAGE_CONCURRENCY;
    if (!Number.isInteger(this.pageConcurrency) || this.pageConcurrency < 1) {
      throw new Error("pageConcurrency must be a positive integer");
    }
  }

  /** Attempts made so far (retries included) by action and outcome. */
  get stats(): NewbookCallStats {
    return this.counter.snapshot();
  }

  /** Closes pooled keep-alive sockets. */
  close(): void {
    this.agents.httpAgent.destroy();
    this.agents.httpsAgent.destroy();
  }

  async authTest(): Promise<void> {
    await this.call("auth_test", {}, () => ({ ok: true, value: undefined }));
  }

  /**
   * Every booking of the listing: the first page, then the others `pageConcurrency` at a time (see
   * readListing for what happens when bookings change meanwhile); duplicates across pages are merged.
   */
  async listBookings(query: ListBookingsQuery): Promise<NewbookBooking[]> {
    const action = "bookings_list";
    const parsePage = parser(
      action,
      "envelope",
      bookingPageSchema,
      (page): ListingPage<NewbookBooking> => ({
        rows: page.data.map(normaliseBooking),
        total: page.data_total ?? null,
      }),
    );
    const listing = await readListing({
      action,
      fetchPage: (offset) =>
        this.call(
          action,
          {
            period_from: query.periodFrom,
            period_to: query.periodTo,
            list_type: query.listType,
            data_offset: offset,
            data_limit: this.pageSize,
          },
          parsePage,
        ),
      keyOf: (booking) => booking.bookingId,
      pageSize: this.pageSize,
      maxPages: this.maxPages,
      concurrency: this.pageConcurrency,
    });
    if (listing.totalMoved) {
      this.options.logger?.info(
        "Newbook bookings changed while paging; pages were read in order to the end",
        {
          action,
          bookings: listing.rows.length,
        },
      );
    }
    return listing.rows;
  }

  async getBooking(bookingId: string): Promise<NewbookBooking> {
    const action = "bookings_get";
    // Some accounts wrap the single booking in a one-element list.
    const schema = z.preprocess((v) => (Array.isArray(v) && v.length === 1 ? v[0] : v), rawBookingSchema);
    return this.call(action, { booking_id: bookingId }, dataParser(action, schema, normaliseBooking));
  }

  /** The room inventory; uses the `site_list` alias when the account does not know `sites_list`. */
  async listSites(): Promise<NewbookSite[]> {
    try {
      return await this.fetchSites(this.sitesAction);
    } catch (error) {
      const unknown = error instanceof NewbookApiError && error.unknownAction;
      if (!unknown || this.sitesAction === "site_list") throw error;
      this.sitesAction = "site_list";
      return this.fetchSites(this.sitesAction);
    }
  }

  private fetchSites(action: "sites_list" | "site_list"): Promise<NewbookSite[]> {
    return this.call(
      action,
      {},
      dataParser(action, list(rawSiteSchema), (rows) => rows.map(normaliseSite)),
    );
  }

  async reportsOccupancy(periodFrom: string, periodTo: string): Promise<OccupancyReportCategory[]> {
    const action = "reports_occupancy";
    return this.call(
      action,
      { period_from: periodFrom, period_to: periodTo },
      dataParser(action, list(rawOccupancyCategorySchema), (rows) => rows.map(normaliseOccupancyCategory)),
    );
  }

  async listGlAccounts(): Promise<NewbookGlAccount[]> {
    const action = "gl_account_list";
    return this.call(
      action,
      {},
      dataParser(action, list(rawGlAccountSchema), (rows) => rows.map(normaliseGlAccount)),
    );
  }

  async earnedRevenue(
    periodFrom: string,
    periodTo: string,
    options: { increment?: "day" } = {},
  ): Promise<EarnedRevenueRow[]> {
    const action = "reports_earned_revenue";
    const params: Record<string, unknown> = { period_from: periodFrom, period_to: periodTo };
    if (options.increment) params.period_increment = options.increment;
    return this.call(
      action,
      params,
      dataParser(action, list(rawEarnedRevenueSchema), (rows) => rows.map(normaliseEarnedRevenue)),
    );
  }

  /** One action with retries: rate-limit slot, HTTP attempt, classification, backoff, again. */
  private async call<T>(
    action: string,
    params: Record<string, unknown>,
    parse: EnvelopeParser<T>,
  ): Promise<T> {
    const started = this.now();
    for (let retries = 0; ; retries++) {
      await this.options.rateLimiter?.acquire(this.credentialKey);
      const result = await this.attempt(action, params, retries, parse);
      if (result.ok) return result.value;
      const { error } = result;
      const delayMs = nextRetryDelay({
        error,
        retriesSoFar: retries,
        elapsedMs: this.now() - started,
        retryAfterMs: error instanceof NewbookThrottledError ? error.retryAfterMs : null,
        policy: this.policy,
        random: this.random,
      });
      if (delayMs === null) throw error;
      this.options.logger?.warn("Newbook request failed; retrying", {
        action,
        outcome: error.outcome,
        status: error.status,
        attempt: retries,
        delayMs,
        reason: error.message,
      });
      await this.sleep(delayMs);
    }
  }

  private async attempt<T>(
    action: string,
    params: Record<string, unknown>,
    attempt: number,
    parse: EnvelopeParser<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: NewbookError }> {
    const started = this.now();
    const result = await this.send(action, params).then((classified) =>
      classified.ok ? parse(classified.envelope) : classified,
    );
    const event: NewbookRequestEvent = {
      action,
      outcome: result.ok ? "ok" : result.error.outcome,
      durationMs: this.now() - started,
      attempt,
    };
    this.counter.record(event);
    this.options.onRequest?.(event);
    return result;
  }

  private async send(action: string, params: Record<string, unknown>): Promise<Classified> {
    const { timeoutMs, connectTimeoutMs } = this.options;
    // axios's `timeout` only covers socket inactivity; the signal bounds the whole attempt.
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const response = await this.http.post<string>(
        encodeURIComponent(action),
        { ...params, region: this.options.region, api_key: this.options.apiKey },
        { signal: deadline },
      );
      const retryAfter = response.headers["retry-after"];
      return classifyAnswer(
        action,
        {
          status: response.status,
          retryAfter: typeof retryAfter === "string" ? retryAfter : undefined,
          body: typeof response.data === "string" ? response.data : String(response.data ?? ""),
        },
        this.now(),
      );
    } catch (error) {
      if (isResponseTooLarge(error))
        return {
          ok: false,
          error: responseTooLargeError(action, this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES),
        };
      const code = axios.isAxiosError(error) ? error.code : undefined;
      return {
        ok: false,
        error: classifyTransportFailure(
          action,
          { code, totalTimedOut: deadline.aborted },
          { timeoutMs, connectTimeoutMs },
        ),
      };
    }
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
