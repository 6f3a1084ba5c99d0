import { hash } from "node:crypto";
import axios, { type AxiosInstance } from "axios";
import { z } from "zod";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { credentialKey, credentialLabel, type RateLimiter } from "../ratelimit";
import { registerSecret } from "../redact";
import {
  classifyAnswer,
  classifyTransportFailure,
  type Envelope,
  type HttpAnswer,
  protocolErrorFromZod,
} from "./classify";
import { NewbookApiError, type NewbookError, NewbookThrottledError } from "./errors";
import { createAgents, type NewbookAgents } from "./http-agent";
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

/** Reads the typed result out of a successful envelope (bytes: the raw body), or says which field is wrong. */
type EnvelopeParser<T> = (
  envelope: Envelope,
  bytes: Buffer,
) => { ok: true; value: T } | { ok: false; error: NewbookError };

/**
 * Recognises a 200 answer byte for byte as one already read before (and then successful), so it needs no
 * decoding, parsing or validation at all; null when it is not such an answer.
 */
type KnownAnswer<T> = (bytes: Buffer) => { value: T } | null;

/** Digest of an answer's raw bytes (a string counts as its UTF-8): equal digests mean identical answers. */
export function answerDigest(body: Buffer | string): string {
  return hash("sha256", body, "base64url");
}

/** An HTTP answer whose body is decoded only when something reads it (a recognised one never is). */
type RawAnswer = HttpAnswer & { bytes: Buffer };

function rawAnswer(status: number, retryAfter: string | undefined, bytes: Buffer): RawAnswer {
  let text: string | undefined;
  return {
    status,
    retryAfter,
    bytes,
    get body() {
      text ??= bytes.toString("utf8");
      return text;
    },
  };
}

/** A bookings listing with the digests of its raw pages, in offset order. */
export interface BookingListing {
  /** null: the listing was recognised as unchanged (see listBookingsUnlessUnchanged) and not parsed. */
  bookings: NewbookBooking[] | null;
  /** Empty when the listing moved while being read: such a listing is never recognised later. */
  pageDigests: string[];
}

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
  private readonly agents: NewbookAgents;
  private readonly ownsAgents: boolean;
  private readonly credentialKey: string;
  private readonly credentialLabel: string;
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
    this.ownsAgents = !options.agents;
    this.agents = options.agents ?? createAgents(options.connectTimeoutMs);
    this.http = axios.create({
      baseURL: `${options.baseUrl.replace(/\/+$/, "")}/`,
      auth: { username: options.username, password: options.password },
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      timeout: options.timeoutMs,
      httpAgent: this.agents.httpAgent,
      httpsAgent: this.agents.httpsAgent,
      // Every status and body is interpreted by classifyAnswer, including malformed JSON.
      validateStatus: () => true,
      // Raw bytes: an answer recognised by its digest is never decoded to text.
      responseType: "arraybuffer",
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      maxContentLength: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      maxBodyLength: MAX_REQUEST_BYTES,
    });
    this.credentialKey = credentialKey(options);
    this.credentialLabel = credentialLabel(options);
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

  /** Closes the client's own keep-alive sockets (pooled ones stay open for the credential's next client). */
  close(): void {
    if (!this.ownsAgents) return;
    this.agents.httpAgent.destroy();
    this.agents.httpsAgent.destroy();
  }

  /**
   * Secures rate-limit slots for the next `requests` requests at once, before sending any of them, when
   * the limiter reserves (a worker's run: RunBudget); otherwise each request takes its slot as it goes.
   */
  async reserveRequests(requests: number): Promise<void> {
    await this.options.rateLimiter?.reserve?.(this.credentialKey, requests, this.credentialLabel);
  }

  async authTest(): Promise<void> {
    await this.call("auth_test", {}, () => ({ ok: true, value: undefined }));
  }

  /**
   * Every booking of the listing: the first page, then the others `pageConcurrency` at a time (see
   * readListing for what happens when bookings change meanwhile); duplicates across pages are merged.
   */
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
  async listBookingsUnlessUnchanged(
    query: ListBookingsQuery,
    previousPages: readonly string[],
  ): Promise<BookingListing> {
    const action = "bookings_list";
    const digests = new Map<number, string>();
    const parsePage = parser(
      action,
      "envelope",
      bookingPageSchema,
      (page): ListingPage<NewbookBooking> => ({
        rows: page.data.map(normaliseBooking),
        total: page.data_total ?? null,
      }),
    );
    const fetchPage = (offset: number, known?: KnownAnswer<ListingPage<NewbookBooking> | null>) =>
      this.call(
        action,
        {
          period_from: query.periodFrom,
          period_to: query.periodTo,
          list_type: query.listType,
          data_offset: offset,
          data_limit: this.pageSize,
        },
        (envelope, bytes) => {
          digests.set(offset, answerDigest(bytes));
          return parsePage(envelope, bytes);
        },
        known,
      );
    let first: ListingPage<NewbookBooking> | undefined;
    const [onlyPage] = previousPages;
    if (previousPages.length === 1 && onlyPage !== undefined) {
      const page = await fetchPage(0, (bytes) => (answerDigest(bytes) === onlyPage ? { value: null } : null));
      if (page === null) return { bookings: null, pageDigests: [onlyPage] };
      first = page;
    }
    const listing = await readListing({
      action,
      // The first page, when read above, is used once; a second pass in order reads it afresh.
      fetchPage: async (offset) => {
        if (offset === 0 && first) {
          const page = first;
          first = undefined;
          return page;
        }
        return (await fetchPage(offset)) as ListingPage<NewbookBooking>;
      },
      keyOf: (booking) => booking.bookingId,
      pageSize: this.pageSize,
      maxPages: this.maxPages,
      concurrency: this.pageConcurrency,
      beforePages: (pages) => this.reserveRequests(pages),
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
    const pageDigests = listing.totalMoved
      ? []
      : [...digests.entries()].sort(([a], [b]) => a - b).map(([, digest]) => digest);
    return { bookings: listing.rows, pageDigests };
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
    known?: KnownAnswer<T>,
  ): Promise<T> {
    const started = this.now();
    for (let retries = 0; ; retries++) {
      await this.options.rateLimiter?.acquire(this.credentialKey, this.credentialLabel);
      const result = await this.attempt(action, params, retries, parse, known);
      if (result.ok) return result.value;
      const { error } = result;
      if (error instanceof NewbookThrottledError)
        // Bookkeeping for the fleet view only: its failure must not change the request's outcome.
        await this.options.rateLimiter?.noteThrottled?.(this.credentialKey).catch(() => undefined);
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
    known?: KnownAnswer<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: NewbookError }> {
    const started = this.now();
    const result = await this.send(action, params).then(
      (sent): { ok: true; value: T } | { ok: false; error: NewbookError } => {
        if (!sent.ok) return sent;
        const recognised = sent.answer.status === 200 ? known?.(sent.answer.bytes) : null;
        if (recognised) return { ok: true, value: recognised.value };
        const classified = classifyAnswer(action, sent.answer, this.now());
        return classified.ok ? parse(classified.envelope, sent.answer.bytes) : classified;
      },
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

  /**
   * One HTTP attempt. A kept-alive connection the server closed while it sat idle in the pool fails the
   * next request on it with ECONNRESET/EPIPE before any answer: that says nothing about Newbook, so the
   * request goes once more on a fresh connection without using the retry budget (Node's documented
   * `reusedSocket` pattern). A fresh connection failing the same way is a real network error.
   */
  private async send(
    action: string,
    params: Record<string, unknown>,
  ): Promise<{ ok: true; answer: RawAnswer } | { ok: false; error: NewbookError }> {
    const sent = await this.sendOnce(action, params);
    return !sent.ok && sent.staleConnection ? this.sendOnce(action, params) : sent;
  }

  private async sendOnce(
    action: string,
    params: Record<string, unknown>,
  ): Promise<
    { ok: true; answer: RawAnswer } | { ok: false; error: NewbookError; staleConnection?: boolean }
  > {
    const { timeoutMs, connectTimeoutMs } = this.options;
    // axios's `timeout` only covers socket inactivity; the signal bounds the whole attempt.
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const response = await this.http.post<Buffer>(
        encodeURIComponent(action),
        { ...params, region: this.options.region, api_key: this.options.apiKey },
        { signal: deadline },
      );
      const retryAfter = response.headers["retry-after"];
      const bytes = Buffer.isBuffer(response.data) ? response.data : Buffer.from(String(response.data ?? ""));
      return {
        ok: true,
        answer: rawAnswer(response.status, typeof retryAfter === "string" ? retryAfter : undefined, bytes),
      };
    } catch (error) {
      if (isResponseTooLarge(error))
        return {
          ok: false,
          error: responseTooLargeError(action, this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES),
        };
      const code = axios.isAxiosError(error) ? error.code : undefined;
      return {
        ok: false,
        staleConnection: isStaleConnectionReset(error, code),
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

/** Reset before any answer on a connection reused from the keep-alive pool (see NewbookClient.send). */
function isStaleConnectionReset(error: unknown, code: string | undefined): boolean {
  if (code !== "ECONNRESET" && code !== "EPIPE") return false;
  const request = axios.isAxiosError(error)
    ? (error.request as { reusedSocket?: unknown } | undefined)
    : undefined;
  return request?.reusedSocket === true && !(axios.isAxiosError(error) && error.response);
}
