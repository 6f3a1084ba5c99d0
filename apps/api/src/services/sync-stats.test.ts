import { computeSyncStats, periodStart, type StatsRun } from "./sync-stats";

const NOW = new Date("2025-06-10T12:34:00Z");
const run = (
  minutesAgo: number,
  status: string,
  durationMs: number | null,
  errorCode: string | null = null,
): StatsRun => ({
  queuedAt: new Date(NOW.getTime() - minutesAgo * 60_000),
  status,
  durationMs,
  errorCode,
  errorMessage: errorCode,
  finishedAt: null,
});

describe("computeSyncStats", () => {
  it("aligns buckets to whole hours and days, the last one current", () => {
    expect(periodStart("24h", NOW).toISOString()).toBe("2025-06-09T13:00:00.000Z");
    expect(periodStart("7d", NOW).toISOString()).toBe("2025-06-04T00:00:00.000Z");
  });

  it("returns nulls rather than zeros when nothing was decided", () => {
    const stats = computeSyncStats([run(5, "skipped", null), run(6, "running", null)], "24h", NOW);
    expect(stats).toMatchObject({
      runs: 2,
      skipped: 1,
      success_rate: null,
      avg_duration_ms: null,
      p95_duration_ms: null,
      last_failure: null,
    });
    expect(stats.series.reduce((n, b) => n + b.runs, 0)).toBe(2);
  });

  it("uses the nearest-rank p95 and counts only Newbook-caused failures in the Newbook error rate", () => {
    const rows = [
      ...Array.from({ length: 19 }, (_, i) => run(i + 1, "success", (i + 1) * 100)),
      run(30, "failed", 10_000, "newbook_timeout"),
      run(40, "failed", 50, "database"),
      run(60 * 30, "failed", 1, "newbook_auth"),
    ];
    const stats = computeSyncStats(rows, "24h", NOW);
    expect(stats.runs).toBe(21);
    expect(stats.p95_duration_ms).toBe(1900);
    expect(stats.newbook_error_rate).toBe(Math.round((1 / 21) * 1000) / 1000);
    expect(stats.success_rate).toBe(Math.round((19 / 21) * 1000) / 1000);
    expect(stats.last_failure?.message).toBe("newbook_timeout");
  });
});
