import { createHash, hash } from "node:crypto";
import type { z } from "zod";
import type { AnswerBody } from "./answer-body";
import { type Envelope, protocolErrorFromZod } from "./classify";
import type { NewbookError } from "./errors";
import { boundedList } from "./limits";

export type ParsedAnswer<T> = { ok: true; value: T } | { ok: false; error: NewbookError };

/**
 * Reads the typed result out of a successful envelope (raw: the body as read), or says which field is wrong.
 * May be async: a parser that needs something of the caller's (see listBookingsUnlessUnchanged) asks for
 * it only once an answer has to be read.
 */
export type EnvelopeParser<T> = (
  envelope: Envelope,
  raw: AnswerBody,
) => ParsedAnswer<T> | Promise<ParsedAnswer<T>>;

/**
 * Recognises a 200 answer, wholly or in parts, as read before (and then successful), so what is known
 * needs no decoding, parsing or validation; null when it cannot, and the answer is read whole.
 */
export type KnownAnswer<T> = (raw: AnswerBody) => { value: T } | null | Promise<{ value: T } | null>;

/**
 * Digest of an answer's raw bytes (a string counts as its UTF-8; chunks count as their bytes joined, without
 * joining them): equal digests mean identical answers.
 * SHA-1 because it only detects change (a page or booking as read last time), for nearly half the CPU of
 * SHA-256 on a 1.3 MB page: nothing is signed or authenticated by it. A collision would have to be crafted
 * into Newbook's answer by whoever controls both colliding versions, and would only leave that change
 * unseen until the next one. Digests stored by an earlier version (SHA-256, longer)
 * never match one of these, so those pages and bookings are read once more, not mistaken.
 */
export function answerDigest(body: Buffer | string | readonly Buffer[]): string {
  if (typeof body === "string" || Buffer.isBuffer(body)) return hash("sha1", body, "base64url");
  if (body.length === 1) return hash("sha1", body[0]!, "base64url");
  const digest = createHash("sha1");
  for (const chunk of body) digest.update(chunk);
  return digest.digest("base64url");
}

/** Validates the whole envelope (list pages need data_total beside data) or only its `data`. */
export function parser<T, R>(
  action: string,
  at: "envelope" | "data",
  schema: z.ZodType<T>,
  map: (value: T) => R,
): (envelope: Envelope) => ParsedAnswer<R> {
  return (envelope) => {
    const parsed = schema.safeParse(at === "data" ? envelope.data : envelope);
    if (!parsed.success) {
      return { ok: false, error: protocolErrorFromZod(action, parsed.error, at === "data" ? ["data"] : []) };
    }
    return { ok: true, value: map(parsed.data) };
  };
}

export const dataParser = <T, R>(action: string, schema: z.ZodType<T>, map: (value: T) => R) =>
  parser(action, "data", schema, map);

/** A list in `data`, each row read by `schema` and then `map`. */
export const listParser = <T, R>(action: string, schema: z.ZodType<T>, map: (row: T) => R) =>
  // Newbook sends an empty list as [], but some accounts omit `data` or send null when nothing matches.
  dataParser(action, boundedList(schema), (rows) => rows.map(map));
