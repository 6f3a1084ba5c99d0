import type { SyncAttempt } from "./attempts";
import { alertsOpenedAndResolved, budgetHeld, noOverlappingSyncs } from "./checks";
import type { AlertPost } from "./webhook";

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
    const result = noOverlappingSyncs(overlapping, {
      lockLosses: 1,
      now: 1_000,
      wipes: [{ from: 300, to: 310 }],
    });
    expect(result).toMatchObject({ held: true, name: "no overlapping syncs but across a wipe" });
    expect(result.detail).toContain("1 overlapped across a wipe");
  });

  it("counts apart an overlap whose first sync started while the wipe was still deleting keys", () => {
    const result = noOverlappingSyncs([attempt(0, 305, 500), attempt(1, 400, 900)], {
      lockLosses: 1,
      now: 1_000,
      wipes: [{ from: 300, to: 310 }],
    });
    expect(result.held).toBe(true);
  });

  it("does not excuse an overlap by a wipe outside it", () => {
    expect(
      noOverlappingSyncs(overlapping, { lockLosses: 1, now: 1_000, wipes: [{ from: 450, to: 460 }] }).held,
    ).toBe(false);
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

describe("alertsOpenedAndResolved", () => {
  const post = (event: AlertPost["event"], id: number, kitchenId: number): AlertPost => ({
    event,
    alert: { id, kitchen_id: kitchenId, kind: "consecutive_failures" },
    path: "/faults",
  });

  it("waits for resolutions still on their way", async () => {
    const posts = [post("opened", 1, 7)];
    setTimeout(() => posts.push(post("resolved", 1, 7)), 50);
    const result = await alertsOpenedAndResolved(() => posts, [7], 2_000);
    expect(result).toMatchObject({ held: true, detail: "1/1 kitchens alerted; 1 opened, all resolved" });
  });

  it("fails for a kitchen never alerted and for an alert never resolved", async () => {
    const result = await alertsOpenedAndResolved(() => [post("opened", 1, 7)], [7, 8], 100);
    expect(result.held).toBe(false);
    expect(result.detail).toBe(
      "no alert for kitchen(s) 8; 1 never resolved (kitchen 7 consecutive_failures)",
    );
  });
});
