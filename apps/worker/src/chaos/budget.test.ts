import { busiestWindow, usageByCredential } from "./budget";

describe("busiestWindow", () => {
  it("counts the most instants in any half-open window", () => {
    expect(busiestWindow([], 1_000)).toBe(0);
    expect(busiestWindow([0, 999], 1_000)).toBe(2);
    expect(busiestWindow([0, 1_000], 1_000)).toBe(1);
    expect(busiestWindow([5_000, 0, 100, 200, 1_150, 1_199], 1_000)).toBe(3);
  });
});

describe("usageByCredential", () => {
  it("measures each credential on its own", () => {
    const requests = [
      { username: "a", at: 0 },
      { username: "b", at: 10 },
      { username: "a", at: 20 },
      { username: null, at: 30 },
    ];
    expect(usageByCredential(requests, 1_000)).toEqual([
      { username: "a", requests: 2, busiestWindow: 2 },
      { username: "b", requests: 1, busiestWindow: 1 },
      { username: "(anonymous)", requests: 1, busiestWindow: 1 },
    ]);
  });
});
