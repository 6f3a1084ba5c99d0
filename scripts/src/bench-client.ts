/**
 * `npm run bench:client`: one 7-day "staying" listing (the night before today through today + 7) through
 * the Newbook client for a 300- and a 1000-room property, with 50 ms per simulated Newbook call (the
 * simulator in a process of its own) and the real Redis rate limiter, pages read one after another
 * (pageConcurrency 1) and side by side (the default). The two alternate round by round, so a loaded
 * machine weighs on both alike; the median wall time is printed with the Newbook calls and how close
 * their count is to the minimum the page size allows. Build first: `npx tsc -b scripts`.
 */
import { performance } from "node:perf_hooks";
import {
  addDays,
  DEFAULT_REDIS_URL,
  loadConfig,
  localDateIn,
  NewbookClient,
  newbookClientOptionsFromConfig,
  rateLimiterFromConfig,
} from "@occ/core";
import { openRedisPrefix, stopProcess } from "@occ/testkit";
import { median } from "./bench-support/percentile";
import { runBench } from "./bench-support/run-bench";
import { type SimulatedProperty, startSimulatorProcess } from "./bench-support/simulator-process";

const ROOMS = [300, 1000];
const LATENCY_MS = 50;
const DAYS_AHEAD = 7;
const PAGE_SIZE = 1000;
const ROUNDS = 5;
const MODES = [
  { name: "in order", pageConcurrency: 1 },
  { name: "concurrent", pageConcurrency: undefined },
] as const;
type Mode = (typeof MODES)[number];

interface Run {
  wallMs: number;
  calls: number;
  bookings: number;
}

runBench("bench:client", async (defer) => {
  const config = loadConfig(process.env);
  // The simulator's own throttle stays out of the way: the Redis limiter is the one under test.
  const { info, child } = await startSimulatorProcess({
    seed: 42,
    rooms: ROOMS,
    latencyMs: LATENCY_MS,
  });
  defer(() => stopProcess(child));
  const { redis, prefix, close } = openRedisPrefix(config.REDIS_URL ?? DEFAULT_REDIS_URL, "bench-client");
  defer(close);
  const rateLimiter = rateLimiterFromConfig({ ...config, QUEUE_PREFIX: prefix }, redis);

  async function listOnce(
    property: SimulatedProperty,
    mode: Mode,
    periodFrom: string,
    periodTo: string,
  ): Promise<Run> {
    const client = new NewbookClient({
      ...newbookClientOptionsFromConfig(config, {
        baseUrl: info.base_url,
        region: property.region,
        username: property.username,
        password: property.password,
        apiKey: property.api_key,
      }),
      rateLimiter,
      pageSize: PAGE_SIZE,
      pageConcurrency: mode.pageConcurrency,
    });
    try {
      const started = performance.now();
      const bookings = await client.listBookings({ periodFrom, periodTo, listType: "staying" });
      const wallMs = performance.now() - started;
      return { wallMs, calls: client.stats.totalCalls, bookings: bookings.length };
    } finally {
      client.close();
    }
  }

  const results = [];
  for (const [index, rooms] of ROOMS.entries()) {
    const property = info.properties[index]!;
    const today = localDateIn(property.timezone);
    const periodFrom = addDays(today, -1);
    const periodTo = addDays(today, DAYS_AHEAD);
    // Unmeasured: the first listing of a process also pays for compiling the parsers.
    await listOnce(property, MODES[0], periodFrom, periodTo);
    const runs = new Map<Mode, Run[]>(MODES.map((mode) => [mode, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) runs.get(mode)?.push(await listOnce(property, mode, periodFrom, periodTo));
    }
    for (const mode of MODES) {
      const modeRuns = runs.get(mode) ?? [];
      const bookings = modeRuns[0]?.bookings ?? 0;
      const calls = median(modeRuns.map((r) => r.calls));
      const minimumCalls = Math.max(1, Math.ceil(bookings / PAGE_SIZE));
      results.push({
        rooms,
        latencyMs: LATENCY_MS,
        periodFrom,
        periodTo,
        listType: "staying",
        paging: mode.name,
        rounds: ROUNDS,
        wallMs: Math.round(median(modeRuns.map((r) => r.wallMs))),
        wallMsEach: modeRuns.map((r) => Math.round(r.wallMs)),
        newbookCalls: calls,
        bookings,
        minimumCalls,
        callsPerMinimum: Number((calls / minimumCalls).toFixed(2)),
        rateLimit: `${config.NEWBOOK_RATE_LIMIT} per ${config.NEWBOOK_RATE_WINDOW_MS} ms`,
      });
    }
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  for (const r of results) {
    process.stdout.write(
      `bench:client ${r.rooms} rooms, ${r.periodFrom}..${r.periodTo} staying, pages ${r.paging}: ` +
        `${r.wallMs} ms wall (median of ${r.rounds}), ${r.newbookCalls} Newbook calls for ${r.bookings} ` +
        `bookings (minimum ${r.minimumCalls}, ratio ${r.callsPerMinimum})\n`,
    );
  }
});
