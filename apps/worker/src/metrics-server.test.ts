import { createMetrics } from "@occ/core";
import { startMetricsServer } from "./metrics-server";

describe("metrics server", () => {
  it("answers 503 naming the dependency that does not answer", async () => {
    const server = await startMetricsServer({
      port: 0,
      host: "127.0.0.1",
      registry: createMetrics({ defaultMetrics: false }).registry,
      readiness: {
        database: async () => undefined,
        redis: () => new Promise(() => undefined),
      },
      readinessTimeoutMs: 100,
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: "not_ready",
        checks: { database: "ok", redis: "Error: no answer within 100 ms" },
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
