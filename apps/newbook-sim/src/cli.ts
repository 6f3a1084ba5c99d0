import { parseArgs } from "node:util";
import { startSimulator } from "./server";

/** Usage: node dist/cli.js --port 0 --seed 1 --properties 2 --rooms 40[,100] --latency-ms 0 --throttle 100 --today YYYY-MM-DD */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      properties: { type: "string" },
      rooms: { type: "string" },
      "latency-ms": { type: "string" },
      throttle: { type: "string" },
      today: { type: "string" },
      timezones: { type: "string" },
    },
    strict: true,
  });
  const int = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got '${raw}'`);
    return n;
  };
  const rooms = values.rooms?.includes(",")
    ? values.rooms.split(",").map((r) => int("rooms", r.trim()) ?? 0)
    : int("rooms", values.rooms);
  const sim = await startSimulator({
    port: int("port", values.port),
    host: values.host,
    seed: int("seed", values.seed),
    properties: int("properties", values.properties),
    rooms,
    latencyMs: int("latency-ms", values["latency-ms"]),
    throttlePerMinute: int("throttle", values.throttle),
    today: values.today,
    timezones: values.timezones?.split(",").map((t) => t.trim()),
  });
  process.stdout.write(
    `${JSON.stringify({
      url: sim.url,
      base_url: sim.baseUrl,
      control_url: sim.controlUrl,
      properties: sim.properties.map((p) => ({
        id: p.id,
        name: p.name,
        timezone: p.timezone,
        rooms: p.rooms,
        username: p.username,
        password: p.password,
        api_key: p.apiKey,
        region: p.region,
      })),
    })}\n`,
  );
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`newbook-sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
