import { z } from "zod";
import type { Logger } from "../../logger";
import type { AnswerBody } from "../answer-body";
import { answerDigest, dataParser, type ParsedAnswer, parser } from "../answers";
import type { NewbookCaller } from "../call";
import { classifyAnswer, type Envelope } from "../classify";
import type { ListBookingsQuery } from "../client";
import { arrayMemberSlices } from "../json-slices";
import { boundedList, MAX_ITEMS_PER_PAGE } from "../limits";
import { type ListingPage, readListing } from "../paging";
import { looseInt, type NewbookBooking, normaliseBooking, rawBookingSchema } from "../types";

/** A booking the caller holds already, as it was derived from a raw booking of the same digest. */
export interface KnownBooking {
  bookingId: string;
}

/**
 * The caller's bookings by the digest of the raw booking they came from (rawBookingDigest); asked at most
 * once per listing, and only when a page has to be read.
 */
export type KnownBookings<K extends KnownBooking> = () => Promise<ReadonlyMap<string, K>>;

/** A bookings listing with the digests of its raw pages, in offset order. */
export interface BookingListing<K extends KnownBooking = never> {
  /**
   * The bookings read (validated and normalised); null: the listing was recognised as unchanged (see
   * listBookingsUnlessUnchanged) and not parsed.
   */
  bookings: NewbookBooking[] | null;
  /** Bookings whose raw digest the caller knew: neither validated nor normalised. */
  known: K[];
  /** The raw digest of each booking read, by booking id; only when the caller named known bookings. */
  rawDigests: ReadonlyMap<string, string>;
  /** Empty when the listing moved while being read: such a listing is never recognised later. */
  pageDigests: string[];
}

/**
 * Digest of one raw booking as parsed, for a page that is read whole. The validated, normalised booking is
 * a function of that value alone, so an equal digest means an equal booking (key order included:
 * JSON.parse keeps the sent order). A page read in parts digests each booking's raw bytes instead: equal
 * bytes parse to an equal value, and when they equal another booking's JSON.stringify that is the same
 * value too, so digests of either kind recognise only bookings identical to the one stored.
 */
export function rawBookingDigest(raw: unknown): string {
  return answerDigest(JSON.stringify(raw));
}

export interface ListingOptions {
  pageSize: number;
  maxPages: number;
  pageConcurrency: number;
  logger?: Logger;
}

const bookingPageSchema = z.looseObject({
  data: boundedList(rawBookingSchema),
  data_total: looseInt.optional(),
});
/** The page without its bookings: each is validated unless the caller knows it (see readPage). */
const bookingPageShape = z.looseObject({
  data: boundedList(z.unknown()),
  data_total: looseInt.optional(),
});

/** A row of a listing page: a booking read, or one the caller knows by its raw digest. */
type ListedBooking<K> = { booking: NewbookBooking; rawDigest: string | null } | { known: K };

const listedId = <K extends KnownBooking>(row: ListedBooking<K>) =>
  "known" in row ? row.known.bookingId : row.booking.bookingId;

/**
 * Every booking of the listing: the first page, then the others `pageConcurrency` at a time (see
 * readListing for what happens when bookings change meanwhile); duplicates across pages are merged.
 * `previousPages`: the digests of an earlier single-page read of the same listing; when the first page
 * comes back byte-identical (and so complete), it is neither parsed nor validated and `bookings` is null:
 * the caller already holds its result. `knownBookings`: when a page is read, a booking whose raw digest
 * the caller knows is returned as the caller's (in `known`), neither validated nor normalised.
 */
export async function listBookingsUnlessUnchanged<K extends KnownBooking = never>(
  caller: NewbookCaller,
  options: ListingOptions,
  query: ListBookingsQuery,
  previousPages: readonly string[],
  knownBookings?: KnownBookings<K>,
): Promise<BookingListing<K>> {
  const action = "bookings_list";
  const digests = new Map<number, string>();
  const parseWhole = parser(
    action,
    "envelope",
    bookingPageSchema,
    (page): ListingPage<ListedBooking<K>> => ({
      rows: page.data.map((raw) => ({ booking: normaliseBooking(raw), rawDigest: null })),
      total: page.data_total ?? null,
    }),
  );
  let knownLoaded: Promise<ReadonlyMap<string, K>> | undefined;
  /**
   * A page's rows from its raw bookings, each given by its raw digest and read only when the caller does
   * not know it; null when one read is not a valid booking.
   */
  const listedRows = async (
    known: KnownBookings<K>,
    count: number,
    digestAt: (index: number) => string,
    rawAt: (index: number) => unknown,
  ): Promise<ListedBooking<K>[] | null> => {
    // An empty page (a change feed with no changes) needs nothing the caller knows.
    if (count === 0) return [];
    knownLoaded ??= known();
    const knownByDigest = await knownLoaded;
    const rows: ListedBooking<K>[] = [];
    for (let index = 0; index < count; index++) {
      const rawDigest = digestAt(index);
      const recognised = knownByDigest.get(rawDigest);
      if (recognised) {
        rows.push({ known: recognised });
        continue;
      }
      const parsed = rawBookingSchema.safeParse(rawAt(index));
      if (!parsed.success) return null;
      rows.push({ booking: normaliseBooking(parsed.data), rawDigest });
    }
    return rows;
  };
  const parsePage = async (envelope: Envelope): Promise<ParsedAnswer<ListingPage<ListedBooking<K>>>> => {
    const shape = knownBookings ? bookingPageShape.safeParse(envelope) : null;
    // Without known bookings, or when the page itself is malformed, the page is read whole as ever.
    if (!knownBookings || !shape?.success) return parseWhole(envelope);
    const raws = shape.data.data;
    const rows = await listedRows(
      knownBookings,
      raws.length,
      (index) => rawBookingDigest(raws[index]),
      (index) => raws[index],
    );
    // Reading the page whole reports the first invalid booking exactly as it always has (a known
    // booking was valid when it was stored, so the first invalid one is the same).
    return rows ? { ok: true, value: { rows, total: shape.data.data_total ?? null } } : parseWhole(envelope);
  };
  /**
   * A page read in parts: its bookings located in the raw bytes (json-slices.ts), a known one recognised
   * by the digest of its bytes and never decoded or parsed, only the others parsed and validated; most of
   * a page is bookings the caller holds. Null whenever reading the page whole could answer anything else
   * (not a plain success envelope, a malformed body, an invalid booking): it is then read whole, which
   * reports exactly what is wrong.
   */
  const readInParts = async (
    known: KnownBookings<K>,
    offset: number,
    raw: AnswerBody,
  ): Promise<{ value: ListingPage<ListedBooking<K>> } | null> => {
    const { bytes } = raw;
    const slices = arrayMemberSlices(bytes, "data");
    if (!slices || slices.starts.length > MAX_ITEMS_PER_PAGE) return null;
    const rest = classifyAnswer(
      action,
      { status: 200, retryAfter: undefined, body: slices.rest },
      Date.now(),
    );
    const shape = rest.ok ? bookingPageShape.safeParse(rest.envelope) : null;
    if (!shape?.success) return null;
    const { starts, ends } = slices;
    const rows = await listedRows(
      known,
      starts.length,
      (index) => answerDigest(bytes.subarray(starts[index], ends[index])),
      (index) => {
        try {
          return JSON.parse(bytes.toString("utf8", starts[index], ends[index]));
        } catch {
          // Not JSON: not a booking either, so the page is read whole and the body reported.
          return undefined;
        }
      },
    );
    if (!rows) return null;
    digests.set(offset, raw.digest);
    return { value: { rows, total: shape.data.data_total ?? null } };
  };
  // A page's digest is taken once (AnswerBody caches it): to be recognised and, when it is not, remembered.
  const fetchPage = (offset: number, unchanged?: (raw: AnswerBody) => boolean) =>
    caller.call<ListingPage<ListedBooking<K>> | null>(
      action,
      {
        period_from: query.periodFrom,
        period_to: query.periodTo,
        list_type: query.listType,
        data_offset: offset,
        data_limit: options.pageSize,
      },
      (envelope, raw) => {
        digests.set(offset, raw.digest);
        return parsePage(envelope);
      },
      (raw) => {
        if (unchanged?.(raw)) return { value: null };
        return knownBookings ? readInParts(knownBookings, offset, raw) : null;
      },
    );
  let first: ListingPage<ListedBooking<K>> | undefined;
  const [onlyPage] = previousPages;
  if (previousPages.length === 1 && onlyPage !== undefined) {
    const page = await fetchPage(0, (raw) => raw.digest === onlyPage);
    if (page === null) return { bookings: null, known: [], rawDigests: new Map(), pageDigests: [onlyPage] };
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
      return (await fetchPage(offset)) as ListingPage<ListedBooking<K>>;
    },
    keyOf: listedId,
    pageSize: options.pageSize,
    maxPages: options.maxPages,
    concurrency: options.pageConcurrency,
    beforePages: (pages) => caller.reserve(pages),
  });
  if (listing.totalMoved) {
    options.logger?.info("Newbook bookings changed while paging; pages were read in order to the end", {
      action,
      bookings: listing.rows.length,
    });
  }
  const pageDigests = listing.totalMoved
    ? []
    : [...digests.entries()].sort(([a], [b]) => a - b).map(([, digest]) => digest);
  const bookings: NewbookBooking[] = [];
  const knownRows: K[] = [];
  const rawDigests = new Map<string, string>();
  for (const row of listing.rows) {
    if ("known" in row) {
      knownRows.push(row.known);
      continue;
    }
    bookings.push(row.booking);
    if (row.rawDigest !== null) rawDigests.set(row.booking.bookingId, row.rawDigest);
  }
  return { bookings, known: knownRows, rawDigests, pageDigests };
}

export function getBooking(caller: NewbookCaller, bookingId: string): Promise<NewbookBooking> {
  const action = "bookings_get";
  // Some accounts wrap the single booking in a one-element list.
  const schema = z.preprocess((v) => (Array.isArray(v) && v.length === 1 ? v[0] : v), rawBookingSchema);
  return caller.call(action, { booking_id: bookingId }, dataParser(action, schema, normaliseBooking));
}
