import { runTone, syncBadge } from "./syncBadge";

const base = { is_enabled: true, last_sync_status: "success", stale: false };

describe("syncBadge", () => {
  it.each([
    [{ ...base }, "green", "✓ Syncing"],
    [{ ...base, last_sync_status: "skipped" }, "green", "✓ Syncing"],
    [{ ...base, last_sync_status: "failed" }, "red", "✗ Sync Failed"],
    [{ ...base, last_sync_status: "running" }, "orange", "⟳ Running"],
    [{ ...base, stale: true }, "amber", "Stale"],
    [{ ...base, last_sync_status: null }, "grey", "Waiting for first sync"],
    [{ ...base, is_enabled: false, last_sync_status: "failed", stale: true }, "grey", "Disabled"],
  ])("%j -> %s", (state, tone, label) => {
    expect(syncBadge(state)).toEqual({ tone, label });
  });

  it("prefers a failure over staleness: the error is the more useful news", () => {
    expect(syncBadge({ ...base, last_sync_status: "failed", stale: true }).tone).toBe("red");
  });
});

describe("runTone", () => {
  it("colours run outcomes", () => {
    expect(runTone("success")).toBe("green");
    expect(runTone("failed")).toBe("red");
    expect(runTone("running")).toBe("orange");
    expect(runTone("queued")).toBe("amber");
    expect(runTone("skipped")).toBe("grey");
  });
});
