import type { SyncAttempt } from "./attempts";
import { budgetHeld, noOverlappingSyncs } from "./checks";

function attempt(worker: number, from: number, to: number): SyncAttempt {
  return {
    worker,
    kitchenId: 7,
    runId: `r${from}`,
    attempt: 1,
    startedAt: from,
    endedAt: to,
    end: "finished",
  };
}

describe("noOverlappingSyncs", () => {
  const overlapping = [attempt(0, 0, 500), attempt(1, 400, 900)];

  it("fails on two syncs of a kitchen at once", () => {
    const result = noOverlappingSyncs(overlapping, { lockLosses: 1, now: 1_000 });
    expect(result.held).toBe(false);
    expect(result.detail).toContain("kitchen 7: worker 0 and worker 1 for 100 ms");
  });

  it("counts apart an overlap across a Redis wipe, which took the first sync's lock", () => {
    const result = noOverlappingSyncs(overlapping, { lockLosses: 1, now: 1_000, wipes: [300] });
    expect(result).toMatchObject({ held: true, name: "no overlapping syncs but across a wipe" });
    expect(result.detail).toContain("1 overlapped across a wipe");
  });

  it("does not excuse an overlap by a wipe outside it", () => {
    expect(noOverlappingSyncs(overlapping, { lockLosses: 1, now: 1_000, wipes: [450] }).held).toBe(false);
  });
});

describe("budgetHeld", () => {
  const burst = (count: number, spacingMs: number) =>
    Array.from({ length: count }, (_, i) => ({ username: "hotel", at: i * spacingMs }));

  it("holds while one request more than the budget never arrives within the window", () => {
    const result = budgetHeld(burst(6, 250), { limit: 4, windowMs: 1_000 });
    expect(result.held).toBe(true);
    expect(result.detail).toContain("busiest 1000 ms: 4/4; the closest 5 spanned 1000 ms");
  });

  it("fails when it does", () => {
    expect(budgetHeld(burst(6, 240), { limit: 4, windowMs: 1_000 }).held).toBe(false);
  });
});
