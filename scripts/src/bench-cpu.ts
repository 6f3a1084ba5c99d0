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
const RUNS = Number(process.env.BENCH_CPU_RUNS ?? 40);
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
    rooms: [ROOMS],
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
  const property = info.properties[0]!;
  const credentials = { ...property, apiKey: property.api_key };
  const seedKitchen = async (name: string) =>
    (
      await seedKitchenWithConnection(ctx.db, {
        name,
        timezone: property.timezone,
        property: credentials,
        baseUrl: info.base_url,
        encryptionKey,
        settings: { daysAhead: DAYS_AHEAD },
      })
    ).kitchenId;
  const feedKitchen = await seedKitchen(`Bench ${ROOMS} rooms, change feed`);
  const wholeKitchen = await seedKitchen(`Bench ${ROOMS} rooms, whole reads`);
  // Whole reads every run: SYNC_FULL_READ_MINUTES 0.
  const wholeCtx: SyncContext = { ...ctx, config: { ...config, SYNC_FULL_READ_MINUTES: 0 } };
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
  const propertyId = properties[0]!.id;

  const syncFeed = () =>
    runFrequentSync(ctx, { kitchenId: feedKitchen, runId: randomUUID(), trigger: "bench" });
  const syncWhole = () =>
    runFrequentSync(wholeCtx, { kitchenId: wholeKitchen, runId: randomUUID(), trigger: "bench" });
  const { window } = await syncFeed();
  await syncWhole();
  // The feed kitchen's next runs read the change feed until its whole read is due: this bench ends sooner.
  const fullReadMinutes = config.SYNC_FULL_READ_MINUTES;

  // The bookings page exactly as the sync receives it, and the bookings it yields.
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
  const floor = () => {
    JSON.parse(body);
    deriveDailyFigures(bookings, dates, {
      roomsAvailable: ROOMS,
      mealMapping: { breakfastGlAccountIds: [], dinnerGlAccountIds: [] },
    });
  };

  // One booking edited before each changed run (seeded, so every run of the bench edits the same ones).
  let edit = 0;
  const changeOneBooking = () => {
    const bookingId = bookingIds[(edit * 7919) % bookingIds.length]!;
    edit++;
    return control("PATCH", `/properties/${propertyId}/bookings/${bookingId}`, { adults: 1 + (edit % 3) });
  };
  // Both kitchens sync the same hotel, so one's edits reach the other: a kind catches its kitchen up
  // (untimed) before each timed run, and times only what it names.
  const kinds = {
    changedFeed: async () => {
      await syncFeed();
      await changeOneBooking();
      return cpuMs(syncFeed);
    },
    unchangedFeed: async () => {
      await syncFeed();
      return cpuMs(syncFeed);
    },
    changedWhole: async () => {
      await syncWhole();
      await changeOneBooking();
      return cpuMs(syncWhole);
    },
    unchangedWhole: async () => {
      await syncWhole();
      return cpuMs(syncWhole);
    },
    floor: () => cpuMs(async () => floor()),
    parse: () => cpuMs(async () => JSON.parse(body)),
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
  const floorMedian = median(samples.floor);
  const jsonParseMedian = median(samples.parse);
  // The goal's ratios are taken round by round, each between blocks run moments apart: this machine's CPU
  // time per run drifts by a third between minutes (other guests on the host), far more than between
  // neighbouring blocks. The median of the per-round ratios is judged.
  // A kitchen on a 5-minute interval with the default cadence: one whole read, then feed runs until the
  // next one is due.
  const interval = 5;
  const wholeShare = fullReadMinutes > 0 ? interval / Math.max(interval, fullReadMinutes) : 1;
  const mixed = (feed: Kind, whole: Kind) =>
    samples[feed].map((ms, round) => (1 - wholeShare) * ms + wholeShare * samples[whole][round]!);
  const perRound = (values: number[], base: Kind) => values.map((ms, round) => ms / samples[base][round]!);
  const row = (name: string, values: number[], base: Kind, aim: string, aimRatio?: number) => {
    const ratios = perRound(values, base);
    const ratio = median(ratios);
    const range = `${fixed(Math.min(...ratios))}-${fixed(Math.max(...ratios))}`;
    const within = aimRatio === undefined ? "" : ratio <= aimRatio ? "yes" : "NO";
    return [name, fixed(median(values)), fixed(ratio), range, aim, within];
  };
  const mixName = `mix (1 whole read in ${Math.round(1 / wholeShare)} runs)`;
  process.stdout.write(
    `${DAYS_AHEAD}-day frequent sync of ${ROOMS} rooms (${bookings.length} bookings, ${body.length} bytes), ` +
      `worker CPU per sync, ${ROUNDS} rounds of blocks of ${BLOCK} runs (load ${loadavg()[0]!.toFixed(1)})\n` +
      `floor = JSON.parse of the page (median ${fixed(jsonParseMedian)} ms) + derivation: median ${fixed(floorMedian)} ms\n` +
      `SYNC_FULL_READ_MINUTES ${fullReadMinutes}, judged at a ${interval}-minute interval: ${mixName}\n\n` +
      `${formatTable([
        ["run", "CPU ms", "ratio", "per round", "aim", "within"],
        row("changed: change feed", samples.changedFeed, "floor", ""),
        row("changed: whole read", samples.changedWhole, "floor", ""),
        row(`changed: ${mixName}`, mixed("changedFeed", "changedWhole"), "floor", "<= 2x floor", 2),
        row("unchanged: change feed", samples.unchangedFeed, "parse", ""),
        row("unchanged: whole read", samples.unchangedWhole, "parse", ""),
        row(
          `unchanged: ${mixName}`,
          mixed("unchangedFeed", "unchangedWhole"),
          "parse",
          "<= 1x JSON.parse",
          1,
        ),
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
  // Each pair catches its kitchen up first, untimed, as above.
  await syncFeed();
  const changedProfile = await profiled("changed-feed", async () => {
    await changeOneBooking();
    await syncFeed();
  });
  const unchangedProfile = await profiled("unchanged-feed", syncFeed);
  await syncWhole();
  const changedWholeProfile = await profiled("changed-whole", async () => {
    await changeOneBooking();
    await syncWhole();
  });
  await syncWhole();
  const unchangedWholeProfile = await profiled("unchanged-whole", syncWhole);
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
