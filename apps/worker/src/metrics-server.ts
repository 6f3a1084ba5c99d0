import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export type ReadinessCheck = () => Promise<void>;

export interface MetricsServerOptions {
  port: number;
  host?: string;
  registry: Registry;
  /** Each must resolve within the timeout for /readyz to answer 200. */
  readiness: Record<string, ReadinessCheck>;
  readinessTimeoutMs?: number;
}

export interface MetricsServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

function withTimeout(check: ReadinessCheck, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    check()
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

/** /metrics (Prometheus), /healthz (the process is up) and /readyz (its dependencies answer). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const timeoutMs = options.readinessTimeoutMs ?? 2_000;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.method !== "GET") return json(405, { error: "method not allowed" });
    if (path === "/healthz") return json(200, { status: "ok" });
    if (path === "/readyz") {
      const names = Object.keys(options.readiness);
      Promise.allSettled(names.map((name) => withTimeout(options.readiness[name]!, timeoutMs))).then(
        (results) => {
          const checks = Object.fromEntries(
            results.map((r, i) => [names[i], r.status === "fulfilled" ? "ok" : String(r.reason)]),
          );
          const ready = results.every((r) => r.status === "fulfilled");
          json(ready ? 200 : 503, { status: ready ? "ready" : "not_ready", checks });
        },
      );
      return;
    }
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        (error) => json(500, { error: String(error) }),
      );
      return;
    }
    json(404, { error: "not found" });
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    host: (server.address() as AddressInfo).address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
