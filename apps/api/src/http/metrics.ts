import { createMetrics, type QueueSet, registerQueueGauge } from "@occ/core";
import type { RequestHandler } from "express";
import { Histogram, type Registry } from "prom-client";

export interface HttpMetrics {
  registry: Registry;
  middleware: RequestHandler;
}

/** The API's registry: HTTP latency by route template and status, plus queue depth read at scrape time. */
export function createHttpMetrics(queues: QueueSet): HttpMetrics {
  const { registry } = createMetrics({ labels: { service: "api" } });
  registerQueueGauge(registry, [queues.frequent, queues.historical]);
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method, route template and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on("finish", () => {
      // The template ("/api/newbook/sync-runs/:run_id"), never the raw path: ids would explode cardinality.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : "unmatched";
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware };
}
