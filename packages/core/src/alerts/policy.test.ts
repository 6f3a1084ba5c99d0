import { alertChangesForRun, isStale } from "./policy";

const thresholds = { failureThreshold: 5, slowSyncMs: 1_000 };

describe("alertChangesForRun", () => {
  it("resolves failure, rejected credentials, staleness and slowness after a normal success", () => {
    expect(alertChangesForRun({ outcome: "success", durationMs: 200 }, thresholds)).toEqual([
      { action: "resolve", kind: "consecutive_failures" },
      { action: "resolve", kind: "credentials_rejected" },
      { action: "resolve", kind: "stale" },
      { action: "resolve", kind: "slow_sync" },
    ]);
  });

  it("opens slow_sync for a long success instead of resolving it", () => {
    expect(alertChangesForRun({ outcome: "success", durationMs: 1_001 }, thresholds)).toContainEqual({
      action: "open",
      kind: "slow_sync",
    });
  });

  it("opens the action-needed alert at the first rejected login, whatever the threshold", () => {
    expect(
      alertChangesForRun(
        { outcome: "failed", durationMs: 10, consecutiveFailures: 1, errorCode: "newbook_auth" },
        thresholds,
      ),
    ).toEqual([{ action: "open", kind: "credentials_rejected" }]);
  });

  it("opens the critical alert only from the threshold on", () => {
    expect(
      alertChangesForRun({ outcome: "failed", durationMs: 10, consecutiveFailures: 4 }, thresholds),
    ).toEqual([]);
    expect(
      alertChangesForRun({ outcome: "failed", durationMs: 10, consecutiveFailures: 5 }, thresholds),
    ).toEqual([{ action: "open", kind: "consecutive_failures" }]);
  });

  it("does not treat a quick failure as the end of slowness", () => {
    const changes = alertChangesForRun(
      { outcome: "failed", durationMs: 10, consecutiveFailures: 1 },
      thresholds,
    );
    expect(changes).not.toContainEqual({ action: "resolve", kind: "slow_sync" });
  });
});

describe("isStale", () => {
  const since = new Date("2025-01-01T00:00:00Z");
  const minuteMs = 1_000;
  const at = (ms: number) => new Date(since.getTime() + ms);

  it("is stale after twice the interval without success", () => {
    const input = {
      isEnabled: true,
      syncIntervalMinutes: 5,
      lastSuccessAt: at(1_000),
      since,
      hasConnection: true,
    };
    expect(isStale(input, minuteMs, at(11_000))).toBe(false);
    expect(isStale(input, minuteMs, at(11_001))).toBe(true);
  });

  it("judges a kitchen that never synced from its creation", () => {
    const input = {
      isEnabled: true,
      syncIntervalMinutes: 5,
      lastSuccessAt: null,
      since,
      hasConnection: true,
    };
    expect(isStale(input, minuteMs, at(9_000))).toBe(false);
    expect(isStale(input, minuteMs, at(10_001))).toBe(true);
  });

  it("never calls a disabled kitchen stale", () => {
    const input = {
      isEnabled: false,
      syncIntervalMinutes: 5,
      lastSuccessAt: null,
      since,
      hasConnection: true,
    };
    expect(isStale(input, minuteMs, at(1_000_000))).toBe(false);
  });

  it("never calls a kitchen without a Newbook connection stale: it is not configured", () => {
    const input = {
      isEnabled: true,
      syncIntervalMinutes: 5,
      lastSuccessAt: null,
      since,
      hasConnection: false,
    };
    expect(isStale(input, minuteMs, at(1_000_000))).toBe(false);
  });
});
