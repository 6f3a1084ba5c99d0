import { Gauge, type Registry } from "prom-client";

/** The part of a BullMQ Queue the gauge needs (keeps this module free of a Queue type dependency). */
export interface CountableQueue {
  name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

export const QUEUE_JOB_STATES = [
  "waiting",
  "active",
  "delayed",
  "completed",
  "failed",
  "prioritized",
] as const;

/**
 * Registers `queue_jobs{queue,state}`, read from Redis at scrape time so it is right whichever
 * replica is scraped. While Redis is unreachable the series are left out rather than failing the
 * whole scrape (the other metrics are what you need most during an outage).
 */
export function registerQueueGauge(registry: Registry, queues: CountableQueue[]): Gauge<"queue" | "state"> {
  return new Gauge({
    name: "queue_jobs",
    help: "BullMQ jobs per queue and state",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...QUEUE_JOB_STATES))).catch(
        () => null,
      );
      if (!counts) return;
      queues.forEach((queue, i) => {
        for (const state of QUEUE_JOB_STATES) this.set({ queue: queue.name, state }, counts[i]?.[state] ?? 0);
      });
    },
  });
}
