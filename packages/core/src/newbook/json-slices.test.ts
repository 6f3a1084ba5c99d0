import fc from "fast-check";
import { arrayMemberSlices } from "./json-slices";

const SEED = Number(process.env.JSON_SLICES_SEED ?? Date.now() % 2_147_483_647);
// Printed so a failure can be replayed: JSON_SLICES_SEED=<seed>.
console.info(`json-slices property seed: ${SEED}`);

/** Strings that stress the scanner: quotes, backslashes, brackets, control characters, any Unicode. */
const trickyString = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({
    unit: fc.constantFrom('"', "\\", "{", "}", "[", "]", ",", ":", "\n", "\u0000", "é", "😀", "a"),
  }),
);
const scalar = fc.oneof(
  trickyString,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const { value: jsonValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    scalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(trickyString, tie("value"), { maxKeys: 4 }),
  ),
}));
const booking = fc.record({
  booking_id: fc.oneof(fc.string(), fc.integer()),
  guests: fc.array(fc.dictionary(trickyString, jsonValue, { maxKeys: 3 }), { maxLength: 3 }),
  notes: fc.array(trickyString, { maxLength: 3 }),
  extra: jsonValue,
});
/** Top-level keys as Newbook sends them: no escapes (the scanner refuses those, see below). */
const envelopeKey = fc.string().filter((k) => k !== "data" && JSON.stringify(k) === `"${k}"`);
/** A page: `data` among other members, in any position, compact or indented. */
const page = fc.record({
  before: fc.dictionary(envelopeKey, jsonValue, { maxKeys: 3 }),
  data: fc.array(fc.oneof(booking, jsonValue), { maxLength: 6 }),
  after: fc.dictionary(envelopeKey, jsonValue, { maxKeys: 3 }),
  indent: fc.constantFrom(undefined, 0, 1, 2, "\t"),
});

const render = (p: { before: object; data: unknown[]; after: object; indent: string | number | undefined }) =>
  JSON.stringify({ ...p.before, data: p.data, ...p.after }, null, p.indent);

/** What the caller does with the slices: the body as JSON.parse would give it, or null. */
function reassembled(bytes: Buffer): unknown {
  const slices = arrayMemberSlices(bytes, "data");
  if (!slices) return null;
  const rest = JSON.parse(slices.rest) as { data: unknown[] };
  rest.data = slices.starts.map((start, i) => JSON.parse(bytes.toString("utf8", start, slices.ends[i])));
  return rest;
}

describe("arrayMemberSlices", () => {
  it("finds every element of the data array exactly as JSON.parse reads them (property)", () => {
    fc.assert(
      fc.property(page, (p) => {
        const text = render(p);
        const bytes = Buffer.from(text, "utf8");
        const slices = arrayMemberSlices(bytes, "data");
        expect(slices).not.toBeNull();
        const parsed = JSON.parse(text) as { data: unknown[] };
        expect(
          slices!.starts.map((start, i) => JSON.parse(bytes.toString("utf8", start, slices!.ends[i]))),
        ).toEqual(parsed.data);
        expect(JSON.parse(slices!.rest)).toEqual({ ...parsed, data: [] });
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it("never accepts a damaged body that JSON.parse would read differently or refuse (property)", () => {
    const damaged = fc.tuple(
      page,
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...'",[]{}\\: x0'.split(""))), {
        minLength: 1,
        maxLength: 3,
      }),
    );
    fc.assert(
      fc.property(damaged, ([p, edits]) => {
        const chars = [...render(p)];
        for (const [at, char] of edits) chars[at % chars.length] = char;
        const text = chars.join("");
        let expected: unknown;
        try {
          expected = JSON.parse(text);
        } catch {
          expected = "invalid";
        }
        let got: unknown;
        try {
          got = reassembled(Buffer.from(text, "utf8"));
        } catch {
          got = null;
        }
        // Accepted (all pieces parsed) only when the whole body parses to the same value.
        if (got !== null) expect(got).toEqual(expected);
      }),
      { seed: SEED, numRuns: 1_000 },
    );
  });

  it("refuses what it cannot vouch for", () => {
    const refused = (text: string) => arrayMemberSlices(Buffer.from(text), "data");
    expect(refused("[]")).toBeNull();
    expect(refused('{"other":[]}')).toBeNull();
    expect(refused('{"data":{}}')).toBeNull();
    expect(refused('{"data":[1],"data":[2]}')).toBeNull();
    // An escaped key could be "data" spelt otherwise; JSON.parse would keep the last.
    expect(refused('{"data":[1],"d\\u0061ta":[2]}')).toBeNull();
    expect(refused('{"data":[1,]}')).toBeNull();
    expect(refused('{"data":[,1]}')).toBeNull();
    expect(refused('{"data":[1 2]}')).toBeNull();
    expect(refused('{"data":["open]}')).toBeNull();
    expect(refused('{"data":[]} x')).toBeNull();
  });

  it("gives byte offsets of non-ASCII content and an empty array in rest", () => {
    const text = ' { "success" : "true", "data" : [ {"n":"é\\"}"} , "😀" ], "data_total": 2 } ';
    const bytes = Buffer.from(text, "utf8");
    const slices = arrayMemberSlices(bytes, "data")!;
    expect(slices.starts.map((s, i) => bytes.toString("utf8", s, slices.ends[i]))).toEqual([
      '{"n":"é\\"}"}',
      '"😀"',
    ]);
    expect(JSON.parse(slices.rest)).toEqual({ success: "true", data: [], data_total: 2 });
  });
});
