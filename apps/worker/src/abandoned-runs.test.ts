import { abandonedRunAgeMs } from "./abandoned-runs";

describe("abandonedRunAgeMs", () => {
  it("is ten job locks when those are the longer wait", () => {
    expect(abandonedRunAgeMs({ jobLockMs: 120_000, minuteMs: 60_000 })).toBe(1_200_000);
  });

  it("is ten schedule minutes when those are the longer wait", () => {
    expect(abandonedRunAgeMs({ jobLockMs: 30_000, minuteMs: 60_000 })).toBe(600_000);
  });
});
