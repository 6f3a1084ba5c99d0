import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type SyncKind = "frequent" | "manual" | "historical";
export type RunOutcome = "success" | "failed" | "retry" | "skipped";

/** The process's metrics. One Registry per process, so tests and in-process replicas never collide. */
export interface Metrics {
  registry: Registry;
  syncRuns: Counter<"kind" | "outcome">;
  syncDuration: Histogram<"kind" | "outcome">;
  newbookRequests: Counter<"action" | "outcome">;
  newbookThrottled: Counter<string>;
  lastSuccess: Gauge<"kitchen">;
  consecutiveFailures: Gauge<"kitchen">;
}

export interface CreateMetricsOptions {
  /** Process/runtime metrics (CPU, heap, event loop); off in tests that only read our own series. */
  defaultMetrics?: boolean;
  /** Labels added to every series, e.g. {service: "worker"}. */
  labels?: Record<string, string>;
}

export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    syncRuns: new Counter({
      name: "sync_runs_total",
      help: "Sync runs by kind and outcome (retry = an attempt failed and will be retried)",
      labelNames: ["kind", "outcome"],
      registers,
    }),
    syncDuration: new Histogram({
      name: "sync_duration_seconds",
      help: "Wall-clock duration of sync runs",
      labelNames: ["kind", "outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    newbookRequests: new Counter({
      name: "newbook_requests_total",
      help: "Newbook API requests by action and outcome",
      labelNames: ["action", "outcome"],
      registers,
    }),
    newbookThrottled: new Counter({
      name: "newbook_throttled_total",
      help: "Newbook requests answered with a rate-limit response",
      registers,
    }),
    lastSuccess: new Gauge({
      name: "sync_last_success_timestamp_seconds",
      help: "Unix time of each kitchen's last successful sync",
      labelNames: ["kitchen"],
      registers,
    }),
    consecutiveFailures: new Gauge({
      name: "sync_consecutive_failures",
      help: "Consecutive failed sync runs per kitchen",
      labelNames: ["kitchen"],
      registers,
    }),
  };
}
