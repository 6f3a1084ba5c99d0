/**
 * Finds where the elements of one array member of a top-level JSON object lie in the raw bytes, without
 * parsing them: a bookings page is mostly bookings the caller already holds, recognised by the digest of
 * their bytes, and parsing those would cost more than everything else the sync does.
 *
 * The scanner only tracks strings (with their escapes) and bracket depth. It does not validate: the
 * caller must check each element on its own (a known digest or a JSON.parse of the slice) and parse
 * `rest`; when all of that holds, the body is valid JSON and parsing it whole would give `rest` with the
 * parsed elements in place of the empty array. Anything unexpected gives null, and the caller reads the
 * body whole as before.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

export interface ArrayMemberSlices {
  /** The body with the array emptied ("[]" in its place), decoded: everything else of the object. */
  rest: string;
  /** Byte offsets of each element: element i is bytes[starts[i]] up to (not including) bytes[ends[i]]. */
  starts: number[];
  ends: number[];
}

const isWhitespace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipWhitespace(bytes: Uint8Array, at: number): number {
  let i = at;
  while (isWhitespace(bytes[i])) i++;
  return i;
}

/** Just past the closing quote of the string opening at `at`; -1 when it does not end. */
function stringEnd(bytes: Uint8Array, at: number): number {
  for (let i = at + 1; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** What a byte means to the scan outside strings: most bytes mean nothing (one table read, no compares). */
const NOTHING = 0;
const STRING = 1;
const OPENS = 2;
const CLOSES = 3;
const STRUCTURE = (() => {
  const table = new Uint8Array(256);
  table[QUOTE] = STRING;
  table[OPEN_OBJECT] = OPENS;
  table[OPEN_ARRAY] = OPENS;
  table[CLOSE_OBJECT] = CLOSES;
  table[CLOSE_ARRAY] = CLOSES;
  return table;
})();

/** Just past the value starting at `at` (by strings and bracket depth only); -1 when it does not end. */
function valueEnd(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return stringEnd(bytes, at);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    // The hot loop of a page (every byte of every booking): strings are skipped inline, as a call per
    // string costs more than the scan of its few bytes.
    const length = bytes.length;
    let depth = 0;
    for (let i = at; i < length; i++) {
      const kind = STRUCTURE[bytes[i]!];
      if (kind === NOTHING) continue;
      if (kind === STRING) {
        for (i++; i < length; i++) {
          const d = bytes[i];
          if (d === QUOTE) break;
          if (d === BACKSLASH) i++;
        }
      } else if (kind === OPENS) depth++;
      else {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number or a literal: up to the next separator.
  let i = at;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT || isWhitespace(c)) break;
    i++;
  }
  return i > at ? i : -1;
}

/** Whether the key's raw bytes (quotes excluded) are exactly `key` (ASCII), escapes never matching. */
function keyIs(bytes: Uint8Array, from: number, to: number, key: string): boolean {
  if (to - from !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (bytes[from + i] !== key.charCodeAt(i)) return false;
  return true;
}

/**
 * The elements of the array under `key` of the top-level object in `bytes`. Null when the body is not
 * such an object, the member is absent, not an array or present twice, or any top-level key holds an
 * escape (it could spell `key` another way, and JSON.parse keeps the last of equal keys).
 */
export function arrayMemberSlices(bytes: Buffer, key: string): ArrayMemberSlices | null {
  let i = skipWhitespace(bytes, 0);
  if (bytes[i] !== OPEN_OBJECT) return null;
  i = skipWhitespace(bytes, i + 1);
  let array: { open: number; close: number } | null = null;
  const starts: number[] = [];
  const ends: number[] = [];
  while (bytes[i] !== CLOSE_OBJECT) {
    if (bytes[i] !== QUOTE) return null;
    const keyEnd = stringEnd(bytes, i);
    if (keyEnd < 0 || bytes.subarray(i + 1, keyEnd - 1).includes(BACKSLASH)) return null;
    const isTarget = keyIs(bytes, i + 1, keyEnd - 1, key);
    i = skipWhitespace(bytes, keyEnd);
    if (bytes[i] !== COLON) return null;
    i = skipWhitespace(bytes, i + 1);
    if (isTarget) {
      if (array !== null || bytes[i] !== OPEN_ARRAY) return null;
      const open = i;
      i = skipWhitespace(bytes, i + 1);
      while (bytes[i] !== CLOSE_ARRAY) {
        const end = valueEnd(bytes, i);
        if (end < 0) return null;
        starts.push(i);
        ends.push(end);
        i = skipWhitespace(bytes, end);
        if (bytes[i] === COMMA) {
          i = skipWhitespace(bytes, i + 1);
          // A trailing comma is not JSON, and it would not be in `rest` to be caught there.
          if (bytes[i] === CLOSE_ARRAY) return null;
        } else if (bytes[i] !== CLOSE_ARRAY) return null;
      }
      array = { open, close: i };
      i++;
    } else {
      i = valueEnd(bytes, i);
      if (i < 0) return null;
    }
    i = skipWhitespace(bytes, i);
    if (bytes[i] === COMMA) i = skipWhitespace(bytes, i + 1);
    else if (bytes[i] !== CLOSE_OBJECT) return null;
  }
  if (array === null || skipWhitespace(bytes, i + 1) !== bytes.length) return null;
  // Cut at ASCII brackets: UTF-8 decodes the same in pieces as whole.
  const rest = bytes.toString("utf8", 0, array.open + 1) + bytes.toString("utf8", array.close);
  return { rest, starts, ends };
}
