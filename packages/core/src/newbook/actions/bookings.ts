import { z } from "zod";
import type { Logger } from "../../logger";
import { answerDigest, dataParser, type KnownAnswer, parser } from "../answers";
import type { NewbookCaller } from "../call";
import type { ListBookingsQuery } from "../client";
import { boundedList } from "../limits";
import { type ListingPage, readListing } from "../paging";
import { looseInt, type NewbookBooking, normaliseBooking, rawBookingSchema } from "../types";

/** A bookings listing with the digests of its raw pages, in offset order. */
export interface BookingListing {
  /** null: the listing was recognised as unchanged (see listBookingsUnlessUnchanged) and not parsed. */
  bookings: NewbookBooking[] | null;
  /** Empty when the listing moved while being read: such a listing is never recognised later. */
  pageDigests: string[];
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

/**
 * Every booking of the listing: the first page, then the others `pageConcurrency` at a time (see
 * readListing for what happens when bookings change meanwhile); duplicates across pages are merged.
 * `previousPages`: the digests of an earlier single-page read of the same listing; when the first page
 * comes back byte-identical (and so complete), it is neither parsed nor validated and `bookings` is null:
 * the caller already holds its result.
 */
export async function listBookingsUnlessUnchanged(
  caller: NewbookCaller,
  options: ListingOptions,
  query: ListBookingsQuery,
  previousPages: readonly string[],
): Promise<BookingListing> {
  const action = "bookings_list";
  const digests = new Map<number, string>();
  // The first page's bytes are digested to be recognised and, when they are not, to be remembered:
  // once is enough (hashing a 1 MB page costs about a tenth of parsing it).
  const digested = new WeakMap<Buffer, string>();
  const digestOf = (bytes: Buffer) => {
    let digest = digested.get(bytes);
    if (digest === undefined) {
      digest = answerDigest(bytes);
      digested.set(bytes, digest);
    }
    return digest;
  };
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
    caller.call(
      action,
      {
        period_from: query.periodFrom,
        period_to: query.periodTo,
        list_type: query.listType,
        data_offset: offset,
        data_limit: options.pageSize,
      },
      (envelope, bytes) => {
        digests.set(offset, digestOf(bytes));
        return parsePage(envelope, bytes);
      },
      known,
    );
  let first: ListingPage<NewbookBooking> | undefined;
  const [onlyPage] = previousPages;
  if (previousPages.length === 1 && onlyPage !== undefined) {
    const page = await fetchPage(0, (bytes) => (digestOf(bytes) === onlyPage ? { value: null } : null));
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
  return { bookings: listing.rows, pageDigests };
}

export function getBooking(caller: NewbookCaller, bookingId: string): Promise<NewbookBooking> {
  const action = "bookings_get";
  // Some accounts wrap the single booking in a one-element list.
  const schema = z.preprocess((v) => (Array.isArray(v) && v.length === 1 ? v[0] : v), rawBookingSchema);
  return caller.call(action, { booking_id: bookingId }, dataParser(action, schema, normaliseBooking));
}
