/**
 * `npm run bench:cpu`: worker CPU per 7-day sync of a 300-room hotel, for a changed window (one booking
 * edited since the last run) and an unchanged one (the common case every 5 minutes), side by side with
 * the floor measured in the same run: JSON.parse of the bookings page's bytes plus the pure derivation
 * of the daily figures. Each kind is measured both ways a kitchen syncs: from the change feed (most runs)
 * and as a whole read of the window (every SYNC_FULL_READ_MINUTES), each on a kitchen of its own over the
 * same hotel; the goal is judged on the mix a kitchen runs at a 5-minute interval with the default
 * cadence. Then a CPU profile of each kind of run, summarised by where the time goes.
 * The simulator runs in its own process; PostgreSQL's CPU is not the worker's and is not counted.
 */
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import path from "node:path";
import {
  createLogger,
  dateRange,
  deriveDailyFigures,
  generateEncryptionKey,
  loadConfig,
  NewbookAgentPool,
  NewbookClient,
  newbookClientOptionsFromConfig,
  runFrequentSync,
  type SyncContext,
  stayingPeriod,
} from "@occ/core";
import { createTestDatabase, seedKitchenWithConnection, stopProcess } from "@occ/testkit";
import { profile } from "./bench-support/cpu-profile";
import { median } from "./bench-support/percentile";
import { runBench } from "./bench-support/run-bench";
import { startSimulatorProcess } from "./bench-support/simulator-process";
import { formatTable } from "./bench-support/table";

const ROOMS = 300;
const DAYS_AHEAD = 7;
const RUNS = Number(process.env.BENCH_CPU_RUNS ?? 96);
/** Runs of one kind timed together (see the loop below); RUNS of each kind in all. */
const BLOCK = 8;
const ROUNDS = Math.max(1, Math.round(RUNS / BLOCK));
const SEED = 42;
/** Where to also write the raw profiles (for DevTools/speedscope); unset: not written. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;

/** CPU time (user + system) of this process while `work` runs, in ms. */
async function cpuMs(work: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const fixed = (ms: number) => ms.toFixed(2);

runBench("bench:cpu", async (defer) => {
  const { info, child } = await startSimulatorProcess({
    seed: SEED,
    rooms: [ROOMS, ROOMS],
    latencyMs: 0,
    timezone: "Europe/London",
  });
  defer(() => stopProcess(child));
  const database = await createTestDatabase("occ_bench");
  defer(() => database.drop());
  const encryptionKey = generateEncryptionKey();
  const config = loadConfig({ ...process.env, ENCRYPTION_KEY: encryptionKey });
  const ctx: SyncContext = {
    db: database.handle.db,
    config,
    logger: createLogger({ service: "bench-cpu", level: "warn" }),
    // As in the worker: connections kept alive per credential between syncs.
    agentPool: new NewbookAgentPool(),
  };
  defer(() => ctx.agentPool?.destroy());
  const control = async (method: string, pathname: string, body?: unknown): Promise<unknown> => {
    const send = () =>
      fetch(`${info.control_url}${pathname}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // A kept-alive socket the simulator has just closed fails the request; one more try opens a new one.
    const response = await send().catch(send);
    if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status}`);
    return response.json();
  };
  const { properties } = (await control("GET", "/properties")) as { properties: Array<{ id: string }> };

  /**
   * A kitchen over hotel `index` syncing with `syncCtx`, after its first sync: its syncs, one booking edited
   * (seeded, so every run of the bench edits the same ones), and the floor of its bookings page exactly as
   * the sync receives it.
   */
  const hotel = async (index: number, name: string, syncCtx: SyncContext) => {
    const property = info.properties[index]!;
    const credentials = { ...property, apiKey: property.api_key };
    const { kitchenId } = await seedKitchenWithConnection(ctx.db, {
      name,
      timezone: property.timezone,
      property: credentials,
      baseUrl: info.base_url,
      encryptionKey,
      settings: { daysAhead: DAYS_AHEAD },
    });
    const sync = () => runFrequentSync(syncCtx, { kitchenId, runId: randomUUID(), trigger: "bench" });
    const { window } = await sync();
    const period = stayingPeriod(window.fetchFrom, window.to);
    const pageResponse = await fetch(`${info.base_url}/bookings_list`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from(`${property.username}:${property.password}`).toString("base64")}`,
      },
      body: JSON.stringify({
        period_from: period.periodFrom,
        period_to: period.periodTo,
        list_type: "staying",
        data_offset: 0,
        data_limit: 1000,
        region: property.region,
        api_key: property.api_key,
      }),
    });
    const body = await pageResponse.text();
    const client = new NewbookClient(
      newbookClientOptionsFromConfig(config, { ...credentials, baseUrl: info.base_url }),
    );
    const bookings = await client.listBookings({ ...period, listType: "staying" });
    client.close();
    const bookingIds = bookings.map((booking) => booking.bookingId);
    const dates = dateRange(window.from, window.to);
    const propertyId = properties[index]!.id;
    let edit = 0;
    return {
      sync,
      body,
      bookings,
      floor: () => {
        JSON.parse(body);
        deriveDailyFigures(bookings, dates, {
          roomsAvailable: ROOMS,
          mealMapping: { breakfastGlAccountIds: [], dinnerGlAccountIds: [] },
        });
      },
      parse: () => JSON.parse(body),
      changeOneBooking: () => {
        const bookingId = bookingIds[(edit * 7919) % bookingIds.length]!;
        edit++;
        return control("PATCH", `/properties/${propertyId}/bookings/${bookingId}`, {
          adults: 1 + (edit % 3),
        });
      },
    };
  };
  // Two hotels of the same size, so neither kitchen's runs see the other's edits: one syncing from the
  // change feed (its whole read is due every SYNC_FULL_READ_MINUTES, later than this bench ends), one
  // reading its window whole every run (SYNC_FULL_READ_MINUTES 0).
  const feed = await hotel(0, `Bench ${ROOMS} rooms, change feed`, ctx);
  const whole = await hotel(1, `Bench ${ROOMS} rooms, whole reads`, {
    ...ctx,
    config: { ...config, SYNC_FULL_READ_MINUTES: 0 },
  });
  const fullReadMinutes = config.SYNC_FULL_READ_MINUTES;
  const kinds = {
    changedFeed: async () => {
      await feed.changeOneBooking();
      return cpuMs(feed.sync);
    },
    unchangedFeed: () => cpuMs(feed.sync),
    floorFeed: () => cpuMs(async () => feed.floor()),
    parseFeed: () => cpuMs(async () => feed.parse()),
    changedWhole: async () => {
      await whole.changeOneBooking();
      return cpuMs(whole.sync);
    },
    unchangedWhole: () => cpuMs(whole.sync),
    floorWhole: () => cpuMs(async () => whole.floor()),
    parseWhole: () => cpuMs(async () => whole.parse()),
  };
  type Kind = keyof typeof kinds;
  /** CPU per run of BLOCK runs of a kind in a row (the edit before a changed run not counted). */
  const block = async (kind: Kind) => {
    let total = 0;
    for (let i = 0; i < BLOCK; i++) total += await kinds[kind]();
    return total / BLOCK;
  };

  for (const kind of Object.keys(kinds) as Kind[]) await block(kind);
  const samples = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, [] as number[]])) as Record<
    Kind,
    number[]
  >;
  // Each kind runs BLOCK times in a row and is averaged over the block, so it pays for the garbage
  // collection its own work causes, as runs do back to back in a worker: a median of single runs leaves
  // out the ones that happen to collect, and runs alternating one by one let one kind's collections
  // clear another's garbage (the floor's large parse absorbed the syncs'). Blocks of the four kinds
  // alternate, so drift in the machine's load touches all alike; the median block is reported.
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of Object.keys(kinds) as Kind[]) samples[kind].push(await block(kind));
  }
  // A kitchen on a 5-minute interval with the default cadence: one whole read, then feed runs until the
  // next one is due. Its ratio per round weighs the two kinds' ratios, each to its own hotel's floor.
  const interval = 5;
  const wholeShare = fullReadMinutes > 0 ? interval / Math.max(interval, fullReadMinutes) : 1;
  const ratios = (kind: Kind, base: Kind) => samples[kind].map((ms, round) => ms / samples[base][round]!);
  const mixed = (feedRatios: number[], wholeRatios: number[]) =>
    feedRatios.map((ratio, round) => (1 - wholeShare) * ratio + wholeShare * wholeRatios[round]!);
  const row = (name: string, ms: string, perRound: number[], aim: string, aimRatio?: number) => {
    const ratio = median(perRound);
    const range = `${fixed(Math.min(...perRound))}-${fixed(Math.max(...perRound))}`;
    const within = aimRatio === undefined ? "" : ratio <= aimRatio ? "yes" : "NO";
    return [name, ms, fixed(ratio), range, aim, within];
  };
  const msOf = (kind: Kind) => fixed(median(samples[kind]));
  const mixName = `mix (1 whole read in ${Math.round(1 / wholeShare)} runs)`;
  const changed = [ratios("changedFeed", "floorFeed"), ratios("changedWhole", "floorWhole")] as const;
  const unchanged = [ratios("unchangedFeed", "parseFeed"), ratios("unchangedWhole", "parseWhole")] as const;
  process.stdout.write(
    `${DAYS_AHEAD}-day frequent sync of ${ROOMS} rooms (${feed.bookings.length} and ${whole.bookings.length} bookings, ` +
      `${feed.body.length} and ${whole.body.length} bytes: the feed's hotel and the whole reads'), worker CPU per sync, ` +
      `${ROUNDS} rounds of blocks of ${BLOCK} runs (load ${loadavg()[0]!.toFixed(1)})\n` +
      `floor = JSON.parse of the page (median ${msOf("parseFeed")} and ${msOf("parseWhole")} ms) + derivation: ` +
      `median ${msOf("floorFeed")} and ${msOf("floorWhole")} ms\n` +
      `SYNC_FULL_READ_MINUTES ${fullReadMinutes}, judged at a ${interval}-minute interval: ${mixName}\n\n` +
      `${formatTable([
        ["run", "CPU ms", "ratio", "per round", "aim", "within"],
        row("changed: change feed", msOf("changedFeed"), changed[0], ""),
        row("changed: whole read", msOf("changedWhole"), changed[1], ""),
        row(`changed: ${mixName}`, "", mixed(...changed), "<= 2x floor", 2),
        row("unchanged: change feed", msOf("unchangedFeed"), unchanged[0], ""),
        row("unchanged: whole read", msOf("unchangedWhole"), unchanged[1], ""),
        row(`unchanged: ${mixName}`, "", mixed(...unchanged), "<= 1x JSON.parse", 1),
      ])}\n\n`,
  );
  const saveTo = (kind: string) =>
    PROFILE_DIR ? path.join(PROFILE_DIR, `bench-cpu-${kind}.cpuprofile`) : undefined;
  const profiled = (kind: string, run: () => Promise<unknown>) =>
    profile(
      async () => {
        for (let i = 0; i < RUNS; i++) await run();
      },
      { saveTo: saveTo(kind) },
    );
  const changedProfile = await profiled("changed-feed", async () => {
    await feed.changeOneBooking();
    await feed.sync();
  });
  const unchangedProfile = await profiled("unchanged-feed", feed.sync);
  const changedWholeProfile = await profiled("changed-whole", async () => {
    await whole.changeOneBooking();
    await whole.sync();
  });
  const unchangedWholeProfile = await profiled("unchanged-whole", whole.sync);
  const profileTable = (summary: Awaited<ReturnType<typeof profile>>) =>
    formatTable([
      ["where", "ms per sync", "share"],
      ...summary.groups.map(({ group, ms, share }) => [
        group,
        fixed(ms / RUNS),
        `${(share * 100).toFixed(1)} %`,
      ]),
    ]);

  process.stdout.write(
    `profile of ${RUNS} changed syncs from the change feed (self time):\n${profileTable(changedProfile)}\n\n` +
      `profile of ${RUNS} unchanged syncs from the change feed (self time):\n${profileTable(unchangedProfile)}\n\n` +
      `profile of ${RUNS} changed syncs reading the window whole (self time):\n${profileTable(changedWholeProfile)}\n\n` +
      `profile of ${RUNS} unchanged syncs reading the window whole (self time):\n${profileTable(unchangedWholeProfile)}\n`,
  );
});
