import { z } from "zod";
import { boundedList, MAX_ITEMS_PER_PAGE } from "./limits";

describe("boundedList", () => {
  const row = z.object({ id: z.string() });

  it("reads null and absent as empty and validates each row", () => {
    expect(boundedList(row).parse(null)).toEqual([]);
    expect(boundedList(row).parse(undefined)).toEqual([]);
    expect(boundedList(row).safeParse([{ id: 1 }]).success).toBe(false);
  });

  it("refuses more than MAX_ITEMS_PER_PAGE rows without validating any of them", () => {
    let validated = 0;
    const counted = z.unknown().transform((v) => {
      validated += 1;
      return v;
    });
    const result = boundedList(counted).safeParse(Array.from({ length: MAX_ITEMS_PER_PAGE + 1 }, () => ({})));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/more than 10000 rows/);
    expect(validated).toBe(0);
    expect(
      boundedList(row).parse(Array.from({ length: MAX_ITEMS_PER_PAGE }, (_, i) => ({ id: String(i) }))),
    ).toHaveLength(MAX_ITEMS_PER_PAGE);
  });
});
