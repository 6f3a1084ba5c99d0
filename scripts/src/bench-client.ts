/**
 * `npm run bench:client`: one 7-day "staying" listing (the night before today through today + 7) for a
 * 300-room property through the Newbook client, with 50 ms per simulated Newbook call and the real Redis
 * rate limiter. Prints wall time, Newbook calls and how close the call count is to the minimum the page
 * size allows. Build first: `npx tsc -b scripts`.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  addDays,
  loadConfig,
  localDateIn,
  NewbookClient,
  newbookClientOptionsFromConfig,
  rateLimiterFromConfig,
} from "@occ/core";
import { startSimulator } from "@occ/newbook-sim";
import { Redis } from "ioredis";

const ROOMS = 300;
const LATENCY_MS = 50;
const DAYS_AHEAD = 7;
const PAGE_SIZE = 1000;

async function simulatorRequestCount(controlUrl: string): Promise<number> {
  const response = await fetch(`${controlUrl}/counters`);
  const counters = (await response.json()) as { total: number };
  return counters.total;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const sim = await startSimulator({ properties: 1, rooms: ROOMS, latencyMs: LATENCY_MS, seed: 42 });
  const redis = new Redis(config.REDIS_URL);
  const prefix = `bench-client-${process.pid}-${randomBytes(4).toString("hex")}`;
  const property = sim.properties[0]!;
  const client = new NewbookClient({
    ...newbookClientOptionsFromConfig(config, {
      baseUrl: sim.baseUrl,
      region: property.region,
      username: property.username,
      password: property.password,
      apiKey: property.apiKey,
    }),
    rateLimiter: rateLimiterFromConfig({ ...config, QUEUE_PREFIX: prefix }, redis),
    pageSize: PAGE_SIZE,
  });
  try {
    const today = localDateIn(property.timezone);
    const periodFrom = addDays(today, -1);
    const periodTo = addDays(today, DAYS_AHEAD);
    const started = performance.now();
    const bookings = await client.listBookings({ periodFrom, periodTo, listType: "staying" });
    const wallMs = Math.round(performance.now() - started);
    const calls = client.stats.totalCalls;
    const minimumCalls = Math.max(1, Math.ceil(bookings.length / PAGE_SIZE));
    const result = {
      rooms: ROOMS,
      latencyMs: LATENCY_MS,
      periodFrom,
      periodTo,
      listType: "staying",
      wallMs,
      newbookCalls: calls,
      simulatorRequests: await simulatorRequestCount(sim.controlUrl),
      bookings: bookings.length,
      minimumCalls,
      callsPerMinimum: Number((calls / minimumCalls).toFixed(2)),
      rateLimit: `${config.NEWBOOK_RATE_LIMIT} per ${config.NEWBOOK_RATE_WINDOW_MS} ms`,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `bench:client ${ROOMS} rooms, ${periodFrom}..${periodTo} staying: ${wallMs} ms wall, ` +
        `${calls} Newbook calls for ${bookings.length} bookings (minimum ${minimumCalls}, ` +
        `ratio ${result.callsPerMinimum})\n`,
    );
  } finally {
    client.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await sim.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
