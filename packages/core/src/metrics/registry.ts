import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { NewbookRequestEvent } from "../newbook/stats";

/** The process's metrics. One Registry per process, so tests and in-process replicas never collide. */
export interface Metrics {
  registry: Registry;
  syncRuns: Counter<"kind" | "outcome">;
  /** Successful next-days runs by how they read Newbook (RUN_READS): the change feed's share. */
  syncReads: Counter<"read">;
  syncDuration: Histogram<"kind" | "outcome">;
  newbookRequests: Counter<"action" | "outcome">;
  newbookThrottled: Counter<string>;
}

export interface CreateMetricsOptions {
  /** Process/runtime metrics (CPU, heap, event loop); off in tests that only read our own series. */
  defaultMetrics?: boolean;
  /** Labels added to every series, e.g. {service: "worker"}. */
  labels?: Record<string, string>;
}

const GAUGES_NAMED_AS_COUNTERS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // prom-client names these gauges `*_total`, a suffix Prometheus reserves for counters (promtool flags
    // them); the per-type `nodejs_active_{handles,requests,resources}` gauges carry the same figures.
    for (const name of GAUGES_NAMED_AS_COUNTERS) registry.removeSingleMetric(name);
  }
  const registers = [registry];
  return {
    registry,
    syncRuns: new Counter({
      name: "sync_runs_total",
      help: "Sync runs by kind and outcome (retry = an attempt failed and will be retried)",
      labelNames: ["kind", "outcome"],
      registers,
    }),
    syncReads: new Counter({
      name: "sync_reads_total",
      help: "Successful next-days sync runs by how they read Newbook: changes (the change feed) or whole (the whole window)",
      labelNames: ["read"],
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
  };
}

/** Feeds the Newbook client's per-request events (SyncContext.onNewbookRequest) into the counters. */
export function newbookRequestObserver(metrics: Metrics): (event: NewbookRequestEvent) => void {
  return (event) => {
    metrics.newbookRequests.inc({ action: event.action, outcome: event.outcome });
    if (event.outcome === "throttled") metrics.newbookThrottled.inc();
  };
}
