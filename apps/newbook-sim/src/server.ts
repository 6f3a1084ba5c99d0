import type { AddressInfo } from "node:net";
import express from "express";
import { SimContext } from "./context";
import { controlRouter } from "./control-routes";
import { newbookRouter } from "./newbook-routes";
import { type SimProperty, simProperty } from "./types";

export interface SimulatorOptions {
  /** 0 = random free port (default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 1. */
  seed?: number;
  /** Default 2. */
  properties?: number;
  /** Rooms per property (array) or for all; default 40. */
  rooms?: number | number[];
  /** Default 0. */
  latencyMs?: number;
  /** Default 100. */
  throttlePerMinute?: number;
  /** YYYY-MM-DD pin for generation; default: each property's local today. */
  today?: string;
  /** Per-property timezone override. */
  timezones?: string[];
  /** Clock (epoch ms) for throttle windows, timestamps and the request log; default Date.now. */
  now?: () => number;
}

export interface RunningSimulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** http://127.0.0.1:PORT/rest — clients POST to `${baseUrl}/${action}`. */
  baseUrl: string;
  /** http://127.0.0.1:PORT/_sim */
  controlUrl: string;
  properties: SimProperty[];
  close(): Promise<void>;
}

function validateOptions(o: SimulatorOptions): void {
  const rooms = o.rooms === undefined ? [] : Array.isArray(o.rooms) ? o.rooms : [o.rooms];
  for (const r of rooms) {
    if (!Number.isInteger(r) || r < 1 || r > 5000)
      throw new Error(`rooms must be an integer 1..5000, got ${r}`);
  }
  const n = o.properties ?? 2;
  if (!Number.isInteger(n) || n < 1 || n > 5000)
    throw new Error(`properties must be an integer 1..5000, got ${n}`);
  if (o.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.today))
    throw new Error("today must be YYYY-MM-DD");
  for (const tz of o.timezones ?? []) {
    // Throws RangeError for a zone Intl does not know.
    new Intl.DateTimeFormat("en", { timeZone: tz });
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  validateOptions(options);
  const now = options.now ?? Date.now;
  const ctx = new SimContext(
    {
      seed: options.seed ?? 1,
      properties: options.properties ?? 2,
      rooms: options.rooms ?? 40,
      today: options.today,
      timezones: options.timezones,
      now,
    },
    now,
    options.latencyMs ?? 0,
    options.throttlePerMinute ?? 100,
  );
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use("/rest", newbookRouter(ctx));
  app.use("/_sim", controlRouter(ctx));
  app.use((_req, res) => {
    res.status(404).json({ success: "false", message: "Not found" });
  });

  const host = options.host ?? "127.0.0.1";
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    baseUrl: `${url}/rest`,
    controlUrl: `${url}/_sim`,
    // Snapshot of the generated properties; credentials do not change on data reset (same seed).
    properties: ctx.store.properties.map(simProperty),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        ctx.shutdown();
        server.close((err) => (err ? reject(err) : resolve()));
        // Hung and keep-alive sockets would otherwise keep close() waiting forever.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
