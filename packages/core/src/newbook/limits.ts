import { z } from "zod";
import { NewbookProtocolError } from "./errors";

/**
 * Bounds on what one Newbook answer may cost us. A hostile or broken upstream can send any number of
 * bytes or rows; both are refused before they are buffered or validated in full.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Our requests are a few hundred bytes of JSON; anything bigger is a bug, not a request. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Rows in one listing page or list answer (bookings pages ask for 1,000; a hotel has fewer rooms). */
export const MAX_ITEMS_PER_PAGE = 10_000;

/** A JSON list of rows: null/absent is empty, more than MAX_ITEMS_PER_PAGE fails before any row is parsed. */
export const boundedList = <S extends z.ZodType>(row: S) =>
  z.preprocess(
    (v) => (v === null || v === undefined ? [] : v),
    z
      .array(z.unknown())
      .max(MAX_ITEMS_PER_PAGE, { error: `more than ${MAX_ITEMS_PER_PAGE} rows in one answer` })
      .pipe(z.array(row)),
  );

export function responseTooLargeError(action: string, maxBytes: number): NewbookProtocolError {
  // Not retried: the same request would fetch the same oversized answer.
  return new NewbookProtocolError(action, `the answer is larger than ${maxBytes} bytes`, null, null, false);
}
