import type { Db } from "@occ/db";
import { syncRuns } from "@occ/db";
import { and, eq, gte } from "drizzle-orm";

export type StatsPeriod = "24h" | "7d";

export interface StatsRun {
  queuedAt: Date;
  status: string;
  durationMs: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  finishedAt: Date | null;
}

export interface SyncStats {
  period: StatsPeriod;
  runs: number;
  successes: number;
  failures: number;
  skipped: number;
  success_rate: number | null;
  avg_duration_ms: number | null;
  p95_duration_ms: number | null;
  newbook_error_rate: number | null;
  last_failure: { at: string; message: string | null } | null;
  series: { bucket_start: string; runs: number; failures: number; avg_duration_ms: number | null }[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUCKETS: Record<StatsPeriod, { size: number; count: number }> = {
  "24h": { size: HOUR, count: 24 },
  "7d": { size: DAY, count: 7 },
};

/** Start of the first bucket: buckets are aligned to whole UTC hours (24h) or days (7d), the last one current. */
export function periodStart(period: StatsPeriod, now: Date): Date {
  const { size, count } = BUCKETS[period];
  const current = Math.floor(now.getTime() / size) * size;
  return new Date(current - (count - 1) * size);
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function average(values: number[]): number | null {
  return values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length);
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/**
 * Success rate and Newbook error rate are over decided runs (success + failed); skipped runs (kitchen
 * busy) and runs still queued or running are counted in `runs` only. Totals equal the sum of the series.
 */
export function computeSyncStats(rows: StatsRun[], period: StatsPeriod, now: Date): SyncStats {
  const start = periodStart(period, now).getTime();
  const { size, count } = BUCKETS[period];
  const inPeriod = rows.filter((r) => r.queuedAt.getTime() >= start);
  const successes = inPeriod.filter((r) => r.status === "success");
  const failures = inPeriod.filter((r) => r.status === "failed");
  const decided = successes.length + failures.length;
  const durations = (list: StatsRun[]) =>
    list
      .filter((r) => r.status === "success" || r.status === "failed")
      .flatMap((r) => (r.durationMs === null ? [] : [r.durationMs]));
  const newbookFailures = failures.filter((r) => r.errorCode?.startsWith("newbook_"));
  const lastFailure = failures.reduce<StatsRun | null>(
    (latest, r) => (!latest || r.queuedAt > latest.queuedAt ? r : latest),
    null,
  );
  const series = Array.from({ length: count }, (_, i) => {
    const from = start + i * size;
    const bucket = inPeriod.filter((r) => r.queuedAt.getTime() >= from && r.queuedAt.getTime() < from + size);
    return {
      bucket_start: new Date(from).toISOString(),
      runs: bucket.length,
      failures: bucket.filter((r) => r.status === "failed").length,
      avg_duration_ms: average(durations(bucket)),
    };
  });
  return {
    period,
    runs: inPeriod.length,
    successes: successes.length,
    failures: failures.length,
    skipped: inPeriod.filter((r) => r.status === "skipped").length,
    success_rate: decided === 0 ? null : round(successes.length / decided),
    avg_duration_ms: average(durations(inPeriod)),
    p95_duration_ms: percentile(durations(inPeriod), 95),
    newbook_error_rate: decided === 0 ? null : round(newbookFailures.length / decided),
    last_failure: lastFailure
      ? {
          at: (lastFailure.finishedAt ?? lastFailure.queuedAt).toISOString(),
          message: lastFailure.errorMessage,
        }
      : null,
    series,
  };
}

export async function syncStats(
  db: Db,
  kitchenId: number,
  period: StatsPeriod,
  now: Date,
): Promise<SyncStats> {
  const rows = await db
    .select({
      queuedAt: syncRuns.queuedAt,
      status: syncRuns.status,
      durationMs: syncRuns.durationMs,
      errorCode: syncRuns.errorCode,
      errorMessage: syncRuns.errorMessage,
      finishedAt: syncRuns.finishedAt,
    })
    .from(syncRuns)
    .where(and(eq(syncRuns.kitchenId, kitchenId), gte(syncRuns.queuedAt, periodStart(period, now))));
  return computeSyncStats(rows, period, now);
}
