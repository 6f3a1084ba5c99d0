/**
 * `npm run bench:scale`: many kitchens on a 5-"minute" schedule, served by worker replicas running as
 * separate processes (the built apps/worker/dist/main.js) against the simulator in a process of its own
 * (300 ms per call, 10-room properties, several kitchens per Newbook credential), PostgreSQL at
 * TEST_POSTGRES_URL and Redis at REDIS_URL. Once the first pass is over (below) it measures:
 * schedule lag (start of the run minus the time BullMQ had it due), syncs per second, missed and
 * duplicated runs, and the peak number of Newbook requests per credential in any rate-limit window.
 *
 * Schedules start in a steady state: room counts are known and each kitchen's next run falls at a
 * random moment of the first interval after the workers are up, so schedule phases are spread as in a
 * running system rather than all due at once. The stored bookings do not: every kitchen's first sync
 * writes its whole window, several times the work of the later ones, which find what they found last
 * time. That first pass (a fleet onboarded all at once, which a running system never repeats) is
 * reported on its own: how long until every kitchen had synced and the queue had no due job waiting,
 * and the largest backlog on the way. The measured window starts only then, so it shows the running
 * system the schedule lag goal is about.
 *
 * It also reads each replica's CPU time over the window (/proc), so it prints syncs per worker
 * CPU-second, and then, with the replicas stopped, runs the original plan's loop for comparison: one
 * process syncing due kitchens one after another (BENCH_SEQUENTIAL_SECONDS of it, same simulator and
 * database), with its syncs per second, per CPU-second, and how long it would need per pass over the fleet.
 *
 * Sizes come from the environment: BENCH_KITCHENS (2000), BENCH_PROPERTIES (40, up to 5,000: kitchens share
 * credentials round-robin), BENCH_MINUTE_MS (12000: a 5-minute interval lasts 60 s), BENCH_INTERVALS
 * (3 measured intervals), BENCH_REPLICAS (2), BENCH_CONCURRENCY (32 per replica), BENCH_LATENCY_MS (300
 * per Newbook call), BENCH_SEQUENTIAL_SECONDS (30). The issue's capacity goal is BENCH_KITCHENS=20000 with
 * BENCH_MINUTE_MS=60000 (a real 5-minute interval) and BENCH_INTERVALS=1: about 13-15 minutes in all
 * (seeding well under a minute, the first pass: at least one interval, one interval measured, the drain,
 * 30 s of the sequential loop).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import {
  createLogger,
  createQueues,
  generateEncryptionKey,
  loadConfig,
  type QueueSet,
  runFrequentSync,
  type SyncContext,
} from "@occ/core";
import { newbookConnections, newbookFrequentSyncSettings, syncRuns } from "@occ/db";
import {
  createTestDatabase,
  openRedisPrefix,
  seedKitchenWithConnection,
  spawnNode,
  stopProcess,
} from "@occ/testkit";
import { eq, like, sql } from "drizzle-orm";
import { z } from "zod";
import { percentile, sortedAscending } from "./bench-support/percentile";
import { runBench } from "./bench-support/run-bench";
import { startSimulatorProcess } from "./bench-support/simulator-process";
import { formatTable } from "./bench-support/table";

const benchEnv = z.object({
  BENCH_KITCHENS: z.coerce.number().int().min(1).default(2000),
  BENCH_PROPERTIES: z.coerce.number().int().min(1).max(5_000).default(40),
  BENCH_MINUTE_MS: z.coerce.number().int().min(10).default(12_000),
  BENCH_INTERVALS: z.coerce.number().int().min(1).default(3),
  BENCH_REPLICAS: z.coerce.number().int().min(1).default(2),
  // Latency-bound slots: at 300 ms per call a 5-minute interval over 20,000 kitchens keeps ~30 syncs in
  // flight (Little's law), so two replicas of 32 leave headroom for bursts.
  BENCH_CONCURRENCY: z.coerce.number().int().min(1).default(32),
  BENCH_LATENCY_MS: z.coerce.number().int().min(0).default(300),
  BENCH_SEQUENTIAL_SECONDS: z.coerce.number().int().min(1).default(30),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
});
const settings = benchEnv.parse(process.env);

const INTERVAL_MINUTES = 5;
const ROOMS = 10;
const LATENCY_MS = settings.BENCH_LATENCY_MS;
const RATE_LIMIT = 90;
const RATE_WINDOW_MS = 60_000;
const EVERY_MS = INTERVAL_MINUTES * settings.BENCH_MINUTE_MS;
/**
 * Time for the replicas to start and create every scheduler: their first reconciler pass creates them in
 * batches, well under 1 ms each; 3 ms each leaves room for a loaded machine.
 */
const START_MARGIN_MS = Math.max(15_000, settings.BENCH_KITCHENS * 3);
/** The first pass may take this many intervals before the bench gives up waiting and measures anyway. */
const FIRST_PASS_LIMIT = 4;
/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start at ") "; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Busy and total CPU time of the whole host so far (all cores), from /proc/stat's first line. */
function hostCpu(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
  const values = ticks.map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  // idle and iowait are the 4th and 5th fields.
  return { busy: total - values[3]! - values[4]!, total };
}

const requestLog = z.object({
  requests: z.array(z.object({ seq: z.number(), at: z.string(), username: z.string().nullable() })),
});
const counters = z.object({ outcomes: z.record(z.string(), z.number()) });

/** Worker replicas; their log lines are counted by level so problems show in the report. */
function startWorkers(env: Record<string, string>): {
  children: ChildProcess[];
  levels: Map<string, number>;
  samples: string[];
} {
  const levels = new Map<string, number>();
  const samples: string[] = [];
  const children = Array.from({ length: settings.BENCH_REPLICAS }, () => {
    const child = spawnNode("apps/worker/dist/main.js", {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        const level = /"level":"(\w+)"/.exec(line)?.[1] ?? "other";
        levels.set(level, (levels.get(level) ?? 0) + 1);
        if (level !== "info" && samples.length < 5) samples.push(line.slice(0, 300));
      });
    }
    return child;
  });
  return { children, levels, samples };
}

/** Most requests any one credential sent within a sliding window of RATE_WINDOW_MS. */
function peakPerWindow(unsorted: number[]): number {
  const times = sortedAscending(unsorted);
  let peak = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= RATE_WINDOW_MS) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/**
 * The first pass: waits (at most FIRST_PASS_LIMIT intervals after `since`) until every kitchen has had a
 * successful run and no due job waits in the queue. Returns when that was, when every kitchen had first
 * synced (the backlog may take longer to drain: ticks keep coming due meanwhile), and the largest backlog.
 */
async function firstPassOver(
  db: SyncContext["db"],
  queues: QueueSet,
  since: number,
): Promise<{ at: number; allSyncedAt: number | null; peakWaiting: number; complete: boolean }> {
  const deadline = since + FIRST_PASS_LIMIT * EVERY_MS;
  let peakWaiting = 0;
  let allSyncedAt: number | null = null;
  while (Date.now() < deadline) {
    const waiting = await queues.frequent.getWaitingCount();
    peakWaiting = Math.max(peakWaiting, waiting);
    if (allSyncedAt === null) {
      const [row] = await db
        .select({ synced: sql<number>`count(distinct ${syncRuns.kitchenId})::int` })
        .from(syncRuns)
        .where(eq(syncRuns.status, "success"));
      if ((row?.synced ?? 0) >= settings.BENCH_KITCHENS) allSyncedAt = Date.now();
    }
    if (allSyncedAt !== null && waiting === 0 && Date.now() >= since + EVERY_MS) {
      return { at: Date.now(), allSyncedAt, peakWaiting, complete: true };
    }
    await sleep(1_000);
  }
  return { at: Date.now(), allSyncedAt, peakWaiting, complete: false };
}

/** Waits until no job due before `dueBefore` is still queued or running (at most one more interval). */
async function drained(queues: QueueSet, dueBefore: number): Promise<void> {
  const deadline = Date.now() + EVERY_MS;
  while (Date.now() < deadline) {
    const pending = await queues.frequent.getJobs(["waiting", "prioritized", "active"]);
    if (!pending.some((job) => Number(job.id?.split(":").pop()) < dueBefore)) return;
    await sleep(500);
  }
}

/**
 * The original plan's scheduler: one loop, one kitchen at a time (no queue, no concurrency), here with our
 * sync engine so the comparison is the architecture, not the code. Runs for `seconds` over the kitchens in
 * order and reports its rate and the CPU this process used for it.
 */
async function sequentialLoop(
  db: SyncContext["db"],
  options: { encryptionKey: string; seconds: number; kitchenIds: number[] },
): Promise<{ syncs: number; seconds: number; perSecond: number; perCpuSecond: number }> {
  const ctx: SyncContext = {
    db,
    config: loadConfig({ ...process.env, ENCRYPTION_KEY: options.encryptionKey, NODE_ENV: "test" }),
    logger: createLogger({ service: "bench-scale-sequential", level: "error" }),
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let syncs = 0;
  for (const kitchenId of options.kitchenIds) {
    if (performance.now() - started >= options.seconds * 1000) break;
    await runFrequentSync(ctx, { kitchenId, runId: randomUUID(), trigger: "sequential-loop" });
    syncs++;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSecondsUsed = (cpu.user + cpu.system) / 1e6;
  return {
    syncs,
    seconds,
    perSecond: syncs / seconds,
    perCpuSecond: syncs / Math.max(cpuSecondsUsed, 0.001),
  };
}

runBench("bench:scale", async (defer) => {
  const { BENCH_KITCHENS: kitchens, BENCH_PROPERTIES: properties, BENCH_MINUTE_MS: minuteMs } = settings;
  const { info, child: simulator } = await startSimulatorProcess({
    seed: 7,
    properties,
    rooms: ROOMS,
    latencyMs: LATENCY_MS,
    // Newbook's own limit; our limiter (RATE_LIMIT per window) must keep every credential under it.
    throttlePerMinute: 100,
  });
  defer(() => stopProcess(simulator));
  const database = await createTestDatabase("occ_bench");
  defer(() => database.drop());
  const { prefix, close } = openRedisPrefix(settings.REDIS_URL, "bench-scale");
  defer(close);
  const queues = createQueues({ redis: settings.REDIS_URL, prefix });
  defer(() => queues.close());
  const encryptionKey = generateEncryptionKey();
  const db = database.handle.db;
  process.stdout.write(`seeding ${kitchens} kitchens on ${properties} Newbook credentials...\n`);
  const seedingStarted = performance.now();
  // One kitchen per credential through the test seed (it encrypts the secrets), the rest set-wise as
  // copies of those rows: seeding 20,000 kitchens one transaction each would take minutes.
  const templates = Math.min(kitchens, properties);
  for (let i = 0; i < templates; i++) {
    const property = info.properties[i]!;
    await seedKitchenWithConnection(db, {
      name: `Bench kitchen ${i}`,
      timezone: property.timezone,
      property: { ...property, apiKey: property.api_key },
      baseUrl: info.base_url,
      encryptionKey,
      settings: { syncIntervalMinutes: INTERVAL_MINUTES },
    });
  }
  if (kitchens > templates) {
    await db.execute(sql`
      with template as (
        select row_number() over (order by k.id) - 1 as slot, k.timezone, c.*
        from kitchens k join newbook_connections c on c.kitchen_id = k.id),
      added as (
        insert into kitchens (name, timezone)
        select 'Bench kitchen ' || g, t.timezone from generate_series(${templates}::int, ${kitchens - 1}::int) g
        join template t on t.slot = g % ${templates}::int
        returning id, name),
      numbered as (select id, substring(name from '[0-9]+$')::int as g from added),
      connections as (
        insert into newbook_connections (kitchen_id, base_url, region, username, password_enc, api_key_enc)
        select n.id, t.base_url, t.region, t.username, t.password_enc, t.api_key_enc
        from numbered n join template t on t.slot = n.g % ${templates}::int)
      insert into newbook_frequent_sync_settings (kitchen_id, sync_interval_minutes, has_connection)
      select id, ${INTERVAL_MINUTES}::int, true from numbered`);
  }
  // Steady state: room counts known (sites_list is daily), and last syncs spread over one interval
  // ending START_MARGIN_MS from now, so no kitchen is already overdue when its scheduler is created.
  await db.update(newbookConnections).set({ roomsTotal: ROOMS, roomsRefreshedAt: sql`now()` });
  const lastSync = sql`now() + (${START_MARGIN_MS} - random() * ${EVERY_MS}) * interval '1 millisecond'`;
  await db.update(newbookFrequentSyncSettings).set({ lastSyncAt: lastSync, lastSuccessAt: lastSync });
  process.stdout.write(`seeded in ${((performance.now() - seedingStarted) / 1000).toFixed(1)} s\n`);

  // Poll the simulator's request log as we go: it keeps only the latest entries.
  const requestTimes = new Map<string, number[]>();
  let seq = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const response = await fetch(`${info.control_url}/requests?since=${seq}`);
      for (const entry of requestLog.parse(await response.json()).requests) {
        seq = Math.max(seq, entry.seq);
        const key = entry.username ?? "(anonymous)";
        const times = requestTimes.get(key) ?? [];
        times.push(Date.parse(entry.at));
        requestTimes.set(key, times);
      }
      await sleep(1_000);
    }
  })();
  defer(async () => {
    polling = false;
    await poller.catch(() => undefined);
  });

  const workers = startWorkers({
    DATABASE_URL: database.url,
    REDIS_URL: settings.REDIS_URL,
    QUEUE_PREFIX: prefix,
    ENCRYPTION_KEY: encryptionKey,
    SYNC_MINUTE_MS: String(minuteMs),
    WORKER_CONCURRENCY: String(settings.BENCH_CONCURRENCY),
    NEWBOOK_RATE_LIMIT: String(RATE_LIMIT),
    NEWBOOK_RATE_WINDOW_MS: String(RATE_WINDOW_MS),
    METRICS_PORT: "0",
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
    NODE_ENV: "production",
    JWT_SECRET: randomBytes(32).toString("hex"),
    // The workers' pool, when given: to compare pool sizes on the same fleet.
    ...(process.env.DATABASE_POOL_MAX ? { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX } : {}),
  });
  // Replicas finish their running syncs on SIGTERM; the grace is one interval, as long as any run may take.
  defer(() => Promise.all(workers.children.map((child) => stopProcess(child, EVERY_MS))));
  const started = Date.now();
  process.stdout.write(
    `${settings.BENCH_REPLICAS} worker replicas started; first pass (at least ${EVERY_MS / 1000} s), then measuring ${
      (settings.BENCH_INTERVALS * EVERY_MS) / 1000
    } s...\n`,
  );
  const firstPass = await firstPassOver(db, queues, started);
  // Whole seconds, so the window's edges do not split a due time's millisecond.
  const windowStart = Math.ceil(firstPass.at / 1000) * 1000;
  const windowEnd = windowStart + settings.BENCH_INTERVALS * EVERY_MS;
  await sleep(windowStart - Date.now());
  const pids = workers.children.map((child) => child.pid!);
  const cpuAtStart = pids.map(cpuSeconds);
  const simulatorCpuAtStart = cpuSeconds(simulator.pid!);
  const hostAtStart = hostCpu();
  await sleep(windowEnd - Date.now());
  const workerCpu = pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - cpuAtStart[i]!, 0);
  const simulatorCpu = cpuSeconds(simulator.pid!) - simulatorCpuAtStart;
  const hostAtEnd = hostCpu();
  const hostBusy = (hostAtEnd.busy - hostAtStart.busy) / Math.max(hostAtEnd.total - hostAtStart.total, 1);
  await drained(queues, windowEnd);
  polling = false;
  await poller;

  const runs = await db
    .select({
      kitchenId: syncRuns.kitchenId,
      jobId: syncRuns.jobId,
      status: syncRuns.status,
      startedAt: syncRuns.startedAt,
      durationMs: syncRuns.durationMs,
    })
    .from(syncRuns)
    .where(like(syncRuns.jobId, "repeat:%"));
  const dueOf = (jobId: string) => Number(jobId.split(":").pop());
  const inWindow = runs.filter((r) => {
    const due = dueOf(r.jobId!);
    return due >= windowStart && due < windowEnd;
  });
  const successes = inWindow.filter((r) => r.status === "success");
  const lags = sortedAscending(successes.map((r) => r.startedAt!.getTime() - dueOf(r.jobId!)));
  // Lag per slice of the window, to tell a steady lag from a passing spike.
  const SLICE_MS = 30_000;
  const slices = Array.from({ length: Math.ceil((windowEnd - windowStart) / SLICE_MS) }, (_, k) =>
    sortedAscending(
      successes
        .filter((r) => Math.floor((dueOf(r.jobId!) - windowStart) / SLICE_MS) === k)
        .map((r) => r.startedAt!.getTime() - dueOf(r.jobId!)),
    ),
  );
  const durations = sortedAscending(successes.map((r) => r.durationMs ?? 0));

  // Each kitchen has one due time per interval in the window; its phase is known from any of its jobs.
  const phaseByKitchen = new Map(runs.map((r) => [r.kitchenId, dueOf(r.jobId!) % EVERY_MS]));
  let expected = 0;
  for (const phase of phaseByKitchen.values()) {
    const first = Math.ceil((windowStart - phase) / EVERY_MS) * EVERY_MS + phase;
    expected += first < windowEnd ? Math.floor((windowEnd - 1 - first) / EVERY_MS) + 1 : 0;
  }
  const neverRan = kitchens - phaseByKitchen.size;
  expected += neverRan * settings.BENCH_INTERVALS;
  const slots = new Map<string, number>();
  for (const r of successes) slots.set(r.jobId!, (slots.get(r.jobId!) ?? 0) + 1);
  const duplicated = [...slots.values()].reduce((n, count) => n + count - 1, 0);
  const missed = expected - slots.size;
  const skipped = inWindow.filter((r) => r.status === "skipped").length;
  const failed = inWindow.filter((r) => r.status === "failed").length;
  const stillRunning = inWindow.filter((r) => r.status === "running").length;

  const peaks = [...requestTimes.values()].map(peakPerWindow);
  const windowSeconds = (windowEnd - windowStart) / 1000;
  // Syncs whose due time fell in the window, over the CPU the replicas used in it.
  const perCpuSecond = successes.length / Math.max(workerCpu, 0.001);

  // The plan's loop, for comparison: the replicas stop, one process syncs kitchens one after another.
  await Promise.all(workers.children.map((child) => stopProcess(child, EVERY_MS)));
  const sequential = await sequentialLoop(db, {
    encryptionKey,
    seconds: settings.BENCH_SEQUENTIAL_SECONDS,
    kitchenIds: (
      await db.select({ id: newbookFrequentSyncSettings.kitchenId }).from(newbookFrequentSyncSettings)
    ).map((row) => row.id),
  });
  const simCounters = counters.parse(await (await fetch(`${info.control_url}/counters`)).json());

  const rows: Array<[string, string]> = [
    [
      "kitchens / credentials",
      `${kitchens} / ${properties} (${Math.ceil(kitchens / properties)} kitchens each)`,
    ],
    ["interval", `${INTERVAL_MINUTES} scaled minutes = ${EVERY_MS / 1000} s (SYNC_MINUTE_MS=${minuteMs})`],
    ["host", `${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} (shared with other work)`],
    ["worker replicas x concurrency", `${settings.BENCH_REPLICAS} x ${settings.BENCH_CONCURRENCY}`],
    ["simulator", `${LATENCY_MS} ms per call, ${ROOMS} rooms per property, Newbook limit 100/min`],
    ["our rate limit", `${RATE_LIMIT} requests per credential per ${RATE_WINDOW_MS / 1000} s`],
    [
      "first pass (every kitchen's first sync)",
      `${firstPass.complete ? "over" : "NOT over"} after ${((firstPass.at - started) / 1000).toFixed(0)} s ` +
        `(the interval is ${EVERY_MS / 1000} s): every kitchen synced once ${
          firstPass.allSyncedAt === null
            ? "NOT reached"
            : `after ${((firstPass.allSyncedAt - started) / 1000).toFixed(0)} s`
        }, then no due job waiting; largest backlog ${firstPass.peakWaiting} jobs waiting`,
    ],
    ["measured window", `${(windowEnd - windowStart) / 1000} s (${settings.BENCH_INTERVALS} intervals)`],
    ["runs due in window", String(expected)],
    ["successful runs", String(successes.length)],
    ["syncs per second", (successes.length / windowSeconds).toFixed(1)],
    [
      "worker CPU in window",
      `${workerCpu.toFixed(1)} CPU-s over ${windowSeconds} s (${((100 * workerCpu) / windowSeconds).toFixed(0)} % of one core, all replicas)`,
    ],
    ["syncs per worker CPU-second", perCpuSecond.toFixed(1)],
    [
      "simulator CPU / host CPU busy in window",
      `${((100 * simulatorCpu) / windowSeconds).toFixed(0)} % of one core / ${(100 * hostBusy).toFixed(0)} % of all ${cpus().length} cores (everything on the host, PostgreSQL and other work included)`,
    ],
    [
      "plan's sequential loop (one process)",
      `${sequential.syncs} syncs in ${sequential.seconds.toFixed(1)} s: ${sequential.perSecond.toFixed(2)} syncs/s, ` +
        `${sequential.perCpuSecond.toFixed(1)} per CPU-second`,
    ],
    [
      "sequential loop, one pass over the fleet",
      `${(kitchens / sequential.perSecond / 60).toFixed(1)} min for ${kitchens} kitchens, against an interval of ` +
        `${((INTERVAL_MINUTES * minuteMs) / 60_000).toFixed(1)} min (${(
          kitchens / sequential.perSecond / ((INTERVAL_MINUTES * minuteMs) / 1000)
        ).toFixed(1)}x: above 1 it falls behind)`,
    ],
    [
      "queue workers vs sequential loop",
      `${(successes.length / windowSeconds / sequential.perSecond).toFixed(1)}x the syncs per second, ` +
        `${(perCpuSecond / sequential.perCpuSecond).toFixed(2)}x the syncs per CPU-second`,
    ],
    ["schedule lag p50 / p99 / max", `${percentile(lags, 50)} / ${percentile(lags, 99)} / ${lags.at(-1)} ms`],
    ["lag p99 per 30-s slice", `${slices.map((slice) => percentile(slice, 99)).join(" / ")} ms`],
    ["sync duration p50 / p99", `${percentile(durations, 50)} / ${percentile(durations, 99)} ms`],
    [
      "missed runs",
      `${missed} (skipped as busy: ${skipped}, failed: ${failed}, unfinished: ${stillRunning})`,
    ],
    ["duplicated runs", String(duplicated)],
    [
      "peak requests per credential per window",
      `${Math.max(0, ...peaks)} (limit ${RATE_LIMIT}; Newbook throttled us ${simCounters.outcomes.throttled ?? 0} times)`,
    ],
    [
      "worker log lines by level",
      [...workers.levels].map(([level, count]) => `${level}: ${count}`).join(", ") || "none",
    ],
  ];
  process.stdout.write(`\n${formatTable(rows, ["left", "left"])}\n`);
  for (const sample of workers.samples) process.stdout.write(`  sample: ${sample}\n`);
});
