/**
 * Chart points from the sync-stats series: duration in seconds and, per bucket, the share of runs that
 * did not fail (the series has no per-bucket successes, so skipped runs count as not failed).
 */

export interface StatsBucket {
  bucket_start: string;
  runs: number;
  failures: number;
  avg_duration_ms: number | null;
}

export interface StatsPoint {
  bucket_start: string;
  runs: number;
  avg_duration_s: number | null;
  /** null when the bucket had no run: a gap in the line, not a 0 % dip. */
  success_rate: number | null;
}

export function statsPoints(series: readonly StatsBucket[]): StatsPoint[] {
  return series.map((b) => ({
    bucket_start: b.bucket_start,
    runs: b.runs,
    avg_duration_s: b.avg_duration_ms === null ? null : Math.round(b.avg_duration_ms / 100) / 10,
    success_rate: b.runs === 0 ? null : Math.round(((b.runs - b.failures) / b.runs) * 1000) / 10,
  }));
}
