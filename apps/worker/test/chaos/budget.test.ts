import { busiestWindow, closestSpan, usageByCredential } from "./budget";

describe("busiestWindow", () => {
  it("counts the most instants in any half-open window", () => {
    expect(busiestWindow([], 1_000)).toBe(0);
    expect(busiestWindow([0, 999], 1_000)).toBe(2);
    expect(busiestWindow([0, 1_000], 1_000)).toBe(1);
    expect(busiestWindow([0, 100, 200, 1_150, 1_199, 5_000], 1_000)).toBe(3);
  });
});

describe("closestSpan", () => {
  it("finds the shortest time covering so many instants", () => {
    expect(closestSpan([0, 100, 200, 1_150, 1_199, 5_000], 3)).toBe(200);
    expect(closestSpan([0, 100, 200, 1_150, 1_199, 5_000], 2)).toBe(49);
    expect(closestSpan([0, 100], 3)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("usageByCredential", () => {
  it("measures each credential on its own", () => {
    const requests = [
      { username: "a", at: 20 },
      { username: "b", at: 10 },
      { username: "a", at: 0 },
      { username: null, at: 30 },
      { username: "a", at: 1_500 },
    ];
    expect(usageByCredential(requests, { limit: 1, windowMs: 1_000 })).toEqual([
      { username: "a", requests: 3, busiestWindow: 2, closestOverBudget: 20 },
      { username: "b", requests: 1, busiestWindow: 1, closestOverBudget: Number.POSITIVE_INFINITY },
      { username: "(anonymous)", requests: 1, busiestWindow: 1, closestOverBudget: Number.POSITIVE_INFINITY },
    ]);
  });
});
