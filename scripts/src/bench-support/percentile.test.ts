import { median, percentile, sortedAscending } from "./percentile";

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([3, 7, 9], 50)).toBe(7);
  });

  it("is NaN for no values", () => {
    expect(percentile([], 99)).toBeNaN();
  });
});

describe("median", () => {
  it("sorts numerically, not as text, and leaves its input alone", () => {
    const values = [100, 9, 20, 3, 1000];
    expect(median(values)).toBe(20);
    expect(values).toEqual([100, 9, 20, 3, 1000]);
    expect(sortedAscending(values)).toEqual([3, 9, 20, 100, 1000]);
  });
});
