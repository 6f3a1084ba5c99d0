/**
 * `npm run bench:hol`: head-of-line blocking and the worker concurrency Newbook's latency calls for.
 *
 * 1. Side by side in one run, two worker processes of equal concurrency against one simulator (each with
 *    its own database and Redis prefix): A syncs K kitchens on keys of their own; B syncs the same K kitchens
 *    plus K more sharing one Newbook key whose request budget (NEWBOOK_RATE_LIMIT per window) is far below
 *    what those K kitchens ask for. Prints the own-key kitchens' syncs/s in B as a share of A's (aim
 *    >= 90 %): jobs of the throttled key must give their worker slot back rather than wait in it.
 * 2. Throughput and worker CPU against WORKER_CONCURRENCY at each Newbook latency (one worker, own keys).
 *
 * Load is a closed loop: every kitchen always has one "sync now" job queued or running; when it completes
 * the next is queued. A deferred job (out of budget) stays that kitchen's job until it runs.
 * Sizes from the environment: BENCH_HOL_KITCHENS (24), BENCH_HOL_CONCURRENCY (8), BENCH_HOL_LATENCY_MS
 * (300), BENCH_HOL_SECONDS (20 measured per configuration), BENCH_HOL_SWEEP ("4,8,16,32,64"),
 * BENCH_HOL_SWEEP_LATENCIES ("300,1000"), BENCH_HOL_SWEEP_SECONDS (10).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { createQueues, enqueueSyncNow, generateEncryptionKey, QUEUE_NAMES, type QueueSet } from "@occ/core";
import { newbookConnections } from "@occ/db";
import {
  createTestDatabase,
  openRedisPrefix,
  seedKitchenWithConnection,
  spawnNode,
  stopProcess,
  type TestDatabase,
} from "@occ/testkit";
import { QueueEvents } from "bullmq";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { runBench } from "./bench-support/run-bench";
import { type SimulatorInfo, startSimulatorProcess } from "./bench-support/simulator-process";
import { formatTable } from "./bench-support/table";

const list = (text: string) => text.split(",").map((item) => Number(item.trim()));
const benchEnv = z.object({
  BENCH_HOL_KITCHENS: z.coerce.number().int().min(2).default(24),
  BENCH_HOL_CONCURRENCY: z.coerce.number().int().min(1).default(8),
  BENCH_HOL_LATENCY_MS: z.coerce.number().int().min(0).default(300),
  BENCH_HOL_SECONDS: z.coerce.number().min(1).default(20),
  BENCH_HOL_SWEEP: z.string().default("4,8,16,32,64").transform(list),
  BENCH_HOL_SWEEP_LATENCIES: z.string().default("300,1000").transform(list),
  BENCH_HOL_SWEEP_SECONDS: z.coerce.number().min(1).default(10),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
});
const settings = benchEnv.parse(process.env);

const ROOMS = 10;
/**
 * Production's rate (90 requests a minute per key) on a 10-s window, so the shared key runs out within
 * the run: its kitchens want far more, while each own key's kitchen stays under it.
 */
const RATE_LIMIT = 15;
const RATE_WINDOW_MS = 10_000;
/** The sweep measures slots, not budgets: a limit no kitchen reaches. */
const SWEEP_RATE_LIMIT = 10_000;
const WARM_UP_MS = 3_000;

/** user + system CPU seconds of a process so far (Linux /proc; clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Fleet {
  database: TestDatabase;
  prefix: string;
  queues: QueueSet;
  events: QueueEvents;
  encryptionKey: string;
  close(): Promise<void>;
}

/** A database and Redis prefix of its own, with `properties[i]`'s kitchens seeded, schedules disabled. */
async function openFleet(
  info: SimulatorInfo,
  propertyOfKitchen: number[],
  name: string,
): Promise<{
  fleet: Fleet;
  kitchenIds: number[];
}> {
  const database = await createTestDatabase("occ_bench");
  const { prefix, close: closePrefix } = openRedisPrefix(settings.REDIS_URL, `bench-hol-${name}`);
  const queues = createQueues({ redis: settings.REDIS_URL, prefix });
  const events = new QueueEvents(QUEUE_NAMES.frequent, { connection: { url: settings.REDIS_URL }, prefix });
  await events.waitUntilReady();
  const encryptionKey = generateEncryptionKey();
  const kitchenIds: number[] = [];
  for (const [i, index] of propertyOfKitchen.entries()) {
    const property = info.properties[index]!;
    const { kitchenId } = await seedKitchenWithConnection(database.handle.db, {
      name: `Bench ${name} ${i}`,
      timezone: property.timezone,
      property: { ...property, apiKey: property.api_key },
      baseUrl: info.base_url,
      encryptionKey,
      // Only the bench's own jobs run: no scheduler competes with the closed loop.
      settings: { syncIntervalMinutes: 60, isEnabled: false },
    });
    kitchenIds.push(kitchenId);
  }
  // Steady state: room counts known, so a sync is one bookings_list call.
  await database.handle.db
    .update(newbookConnections)
    .set({ roomsTotal: ROOMS, roomsRefreshedAt: sql`now()` });
  const close = async () => {
    await events.close();
    await queues.close();
    await closePrefix();
    await database.drop();
  };
  return { fleet: { database, prefix, queues, events, encryptionKey, close }, kitchenIds };
}

/** Keeps one sync-now job per kitchen in the queue; counts completions per kitchen from `since`. */
function closedLoop(fleet: Fleet, kitchenIds: number[], warmKitchens: number[] = kitchenIds) {
  const kitchenOfJob = new Map<string, number>();
  const completed = new Map<number, number[]>();
  let running = true;
  let markStarted: () => void = () => undefined;
  /**
   * Resolves once every kitchen of `warmKitchens` has synced: the worker is up (seconds on a busy
   * machine) and past the kitchens' first syncs, which write the whole window; later ones are the
   * steady state (a booking here and there changed, most windows unchanged).
   */
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const enqueue = async (kitchenId: number) => {
    const runId = randomUUID();
    kitchenOfJob.set(runId, kitchenId);
    await enqueueSyncNow(fleet.queues, kitchenId, runId);
  };
  const onDone = ({ jobId }: { jobId: string }) => {
    const kitchenId = kitchenOfJob.get(jobId);
    if (kitchenId === undefined) return;
    kitchenOfJob.delete(jobId);
    const times = completed.get(kitchenId) ?? [];
    times.push(Date.now());
    if (warmKitchens.every((id) => completed.has(id))) markStarted();
    completed.set(kitchenId, times);
    if (running) void enqueue(kitchenId);
  };
  fleet.events.on("completed", onDone);
  fleet.events.on("failed", onDone);
  return {
    start: () => Promise.all(kitchenIds.map(enqueue)),
    started,
    stop: () => {
      running = false;
      fleet.events.off("completed", onDone);
      fleet.events.off("failed", onDone);
    },
    /** Syncs per second of these kitchens between from and to. */
    rate: (kitchens: number[], from: number, to: number) =>
      kitchens.reduce((n, id) => n + (completed.get(id) ?? []).filter((t) => t >= from && t < to).length, 0) /
      ((to - from) / 1000),
  };
}

function startWorker(fleet: Fleet, concurrency: number, rateLimit = RATE_LIMIT): ChildProcess {
  return spawnNode("apps/worker/dist/main.js", {
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: fleet.database.url,
      REDIS_URL: settings.REDIS_URL,
      QUEUE_PREFIX: fleet.prefix,
      ENCRYPTION_KEY: fleet.encryptionKey,
      WORKER_CONCURRENCY: String(concurrency),
      NEWBOOK_RATE_LIMIT: String(rateLimit),
      NEWBOOK_RATE_WINDOW_MS: String(RATE_WINDOW_MS),
      METRICS_PORT: "0",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      NODE_ENV: "production",
      JWT_SECRET: randomBytes(32).toString("hex"),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function setLatency(info: SimulatorInfo, ms: number): Promise<void> {
  const response = await fetch(`${info.control_url}/latency`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ms }),
  });
  if (!response.ok) throw new Error(`PUT /latency: ${response.status}`);
}

runBench("bench:hol", async (defer) => {
  const k = settings.BENCH_HOL_KITCHENS;
  const sweepKitchens = 2 * Math.max(...settings.BENCH_HOL_SWEEP);
  // Property 0 is the shared key; 1..n are keys of their own.
  const { info, child: simulator } = await startSimulatorProcess({
    seed: 11,
    properties: 1 + Math.max(k, sweepKitchens),
    rooms: ROOMS,
    latencyMs: settings.BENCH_HOL_LATENCY_MS,
  });
  defer(() => stopProcess(simulator));
  const own = Array.from({ length: k }, (_, i) => i + 1);

  // 1. Head-of-line blocking, side by side.
  const a = await openFleet(info, own, "a");
  defer(a.fleet.close);
  const b = await openFleet(info, [...own, ...own.map(() => 0)], "b");
  defer(b.fleet.close);
  const bOwn = b.kitchenIds.slice(0, k);
  const bShared = b.kitchenIds.slice(k);
  // B is warm once its own-key kitchens are: the shared key's may wait for budget far longer.
  const loops = [closedLoop(a.fleet, a.kitchenIds), closedLoop(b.fleet, b.kitchenIds, bOwn)] as const;
  const workers = [a.fleet, b.fleet].map((fleet) => startWorker(fleet, settings.BENCH_HOL_CONCURRENCY));
  defer(() => Promise.all(workers.map((child) => stopProcess(child))));
  await Promise.all(loops.map((loop) => loop.start()));
  await Promise.all(loops.map((loop) => loop.started));
  const from = Date.now() + WARM_UP_MS;
  const to = from + settings.BENCH_HOL_SECONDS * 1000;
  const cpuFrom = workers.map(() => 0);
  await sleep(from - Date.now());
  workers.forEach((child, i) => {
    cpuFrom[i] = cpuSeconds(child.pid!);
  });
  await sleep(to - Date.now());
  const cpuUsed = workers.map((child, i) => cpuSeconds(child.pid!) - cpuFrom[i]!);
  for (const loop of loops) loop.stop();
  await Promise.all(workers.map((child) => stopProcess(child)));
  for (const [name, fleet] of [
    ["A", a.fleet],
    ["B", b.fleet],
  ] as const) {
    const byStatus = await fleet.database.handle.db.execute(
      sql`select status, error_code, count(*)::int as n, avg(duration_ms)::int as ms, avg(db_ms)::int as db_ms, min(started_at - queued_at) as wait from sync_runs group by 1, 2 order by 3 desc`,
    );
    process.stdout.write(
      `${name} runs: ${JSON.stringify((byStatus as unknown as { rows: unknown }).rows)}\n`,
    );
  }
  const aRate = loops[0].rate(a.kitchenIds, from, to);
  const bOwnRate = loops[1].rate(bOwn, from, to);
  const bSharedRate = loops[1].rate(bShared, from, to);
  const share = aRate === 0 ? 0 : bOwnRate / aRate;
  const seconds = settings.BENCH_HOL_SECONDS;
  process.stdout.write(
    `head-of-line: ${k} kitchens on own keys (A) vs the same ${k} + ${k} on one shared key (B), ` +
      `WORKER_CONCURRENCY=${settings.BENCH_HOL_CONCURRENCY}, ${settings.BENCH_HOL_LATENCY_MS} ms per call, ` +
      `${RATE_LIMIT} requests per key per ${RATE_WINDOW_MS / 1000} s, ${seconds} s measured ` +
      `(${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)})\n\n${formatTable([
        ["worker", "own-key syncs/s", "shared-key syncs/s", "worker CPU %"],
        ["A: own keys only", aRate.toFixed(1), "-", ((100 * cpuUsed[0]!) / seconds).toFixed(0)],
        [
          "B: + shared key",
          bOwnRate.toFixed(1),
          bSharedRate.toFixed(1),
          ((100 * cpuUsed[1]!) / seconds).toFixed(0),
        ],
      ])}\n\nown-key kitchens keep ${(100 * share).toFixed(1)} % of their throughput beside the throttled key ` +
      `(aim >= 90 %: ${share >= 0.9 ? "met" : "NOT met"})\n\n`,
  );

  // 2. Throughput against concurrency, per latency: one worker, kitchens on own keys.
  const sweep = await openFleet(
    info,
    Array.from({ length: sweepKitchens }, (_, i) => i + 1),
    "sweep",
  );
  defer(sweep.fleet.close);
  const rows: string[][] = [
    ["latency ms", "concurrency", "syncs/s", "ideal c/latency", "worker CPU %", "CPU ms/sync"],
  ];
  for (const latency of settings.BENCH_HOL_SWEEP_LATENCIES) {
    await setLatency(info, latency);
    for (const concurrency of settings.BENCH_HOL_SWEEP) {
      const loop = closedLoop(sweep.fleet, sweep.kitchenIds);
      const worker = startWorker(sweep.fleet, concurrency, SWEEP_RATE_LIMIT);
      await loop.start();
      await loop.started;
      const start = Date.now() + WARM_UP_MS;
      const end = start + settings.BENCH_HOL_SWEEP_SECONDS * 1000;
      await sleep(start - Date.now());
      const cpu0 = cpuSeconds(worker.pid!);
      await sleep(end - Date.now());
      const cpu = cpuSeconds(worker.pid!) - cpu0;
      loop.stop();
      await stopProcess(worker);
      // Jobs left over from this step would run in the next one.
      await sweep.fleet.queues.frequent.obliterate({ force: true });
      const rate = loop.rate(sweep.kitchenIds, start, end);
      rows.push([
        String(latency),
        String(concurrency),
        rate.toFixed(1),
        (concurrency / (latency / 1000)).toFixed(1),
        ((100 * cpu) / settings.BENCH_HOL_SWEEP_SECONDS).toFixed(0),
        rate === 0 ? "-" : ((1000 * cpu) / (rate * settings.BENCH_HOL_SWEEP_SECONDS)).toFixed(1),
      ]);
      process.stdout.write(
        `  latency ${latency} ms, concurrency ${concurrency}: ${rate.toFixed(1)} syncs/s\n`,
      );
    }
  }
  process.stdout.write(
    `\nthroughput against WORKER_CONCURRENCY (one worker, ${sweepKitchens} kitchens on own keys, ` +
      `load ${loadavg()[0]!.toFixed(1)}):\n${formatTable(rows)}\n`,
  );
});
