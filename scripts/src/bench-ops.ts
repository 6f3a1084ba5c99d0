/**
 * `npm run bench:ops` (after `npx tsc -b scripts`): what the operations side costs as the fleet grows, at
 * 1,000, 5,000 and 20,000 kitchens (BENCH_OPS_SIZES, comma-separated, changes the sizes) with sync history
 * behind them:
 * - the ops view's first page (GET /api/admin/kitchens/health, 50 kitchens, failing and stale first, with
 *   totals and state counts), p50/p99 over sequential requests, against the aim of p99 under 50 ms;
 * - the reconciler's pass: the first one after Redis lost every scheduler (creates them all, opens the
 *   stale alerts set-wise) and a steady one (nothing to change).
 * The API and the reconciler run in this process on their own PostgreSQL database (TEST_POSTGRES_URL) and
 * Redis prefix; requests go over HTTP one at a time.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { startApi } from "@occ/api";
import {
  Alerting,
  createAlertNotifier,
  createLogger,
  createQueues,
  generateEncryptionKey,
  loadConfig,
  ScheduleOwner,
  scheduleOptionsFromConfig,
} from "@occ/core";
import { createTestDatabase, openRedisPrefix, seedFleet } from "@occ/testkit";
import { Reconciler } from "@occ/worker";
import { percentile, sortedAscending } from "./bench-support/percentile";
import { runBench } from "./bench-support/run-bench";
import { formatTable } from "./bench-support/table";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const REQUESTS = 300;
const WARM_UP = 20;
const RUNS_PER_KITCHEN = 20;
const AIM_P99_MS = 50;
const SIZES = (process.env.BENCH_OPS_SIZES ?? "1000,5000,20000").split(",").map((size) => {
  const kitchens = Number(size);
  if (!Number.isInteger(kitchens) || kitchens < 1)
    throw new Error("BENCH_OPS_SIZES must be comma-separated positive integers");
  return kitchens;
});

async function measure(url: string, token: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARM_UP + REQUESTS; i++) {
    const started = performance.now();
    const response = await fetch(`${url}/api/admin/kitchens/health?page=1&page_size=50`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { total?: number };
    if (!response.ok) throw new Error(`health answered ${response.status}: ${JSON.stringify(body)}`);
    if (i >= WARM_UP) times.push(performance.now() - started);
  }
  return times;
}

runBench("bench:ops", async (defer) => {
  const testDb = await createTestDatabase("occ_bench_ops");
  defer(() => testDb.drop());
  const redis = openRedisPrefix(REDIS_URL, "bench-ops");
  defer(() => redis.close());
  const password = randomBytes(12).toString("hex");
  // The API creates its first admin from these at start.
  const config = loadConfig({
    ADMIN_EMAIL: "bench@example.com",
    ADMIN_PASSWORD: password,
    ...process.env,
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: testDb.url,
    REDIS_URL,
    QUEUE_PREFIX: redis.prefix,
    JWT_SECRET: randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: generateEncryptionKey(),
  });
  const api = await startApi(config, {
    db: testDb.handle,
    port: 0,
    host: "127.0.0.1",
    uiDistDir: "/nonexistent",
  });
  defer(() => api.close());
  const queues = createQueues({ redis: REDIS_URL, prefix: redis.prefix });
  defer(() => queues.close());
  const logger = createLogger({ service: "bench-ops", level: "warn" });
  const reconciler = new Reconciler({
    db: testDb.handle.db,
    queues,
    redis: redis.redis,
    prefix: redis.prefix,
    schedule: new ScheduleOwner({
      db: testDb.handle.db,
      queues,
      options: scheduleOptionsFromConfig(config),
    }),
    jobLockMs: config.JOB_LOCK_MS,
    alerting: new Alerting(testDb.handle.db, createAlertNotifier({ logger })),
    logger,
  });
  const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const result = await work();
    return [result, performance.now() - started];
  };
  const login = await fetch(`${api.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@example.com", password }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };

  const rows: string[][] = [["kitchens", "sync runs", "p50 ms", "p99 ms", "aim p99 ms", "met"]];
  const passes: string[][] = [
    ["kitchens", "first pass ms", "schedulers created", "stale alerts opened", "steady pass ms", "changes"],
  ];
  let seeded = 0;
  for (const kitchens of SIZES) {
    const seedStarted = performance.now();
    await seedFleet(testDb.handle.db, { kitchens: kitchens - seeded, runsPerKitchen: RUNS_PER_KITCHEN });
    seeded = kitchens;
    await testDb.handle.pool?.query("analyze");
    process.stdout.write(
      `seeded ${kitchens} kitchens in ${Math.round(performance.now() - seedStarted)} ms\n`,
    );
    const sorted = sortedAscending(await measure(api.url, token));
    const p99 = percentile(sorted, 99);
    rows.push([
      String(kitchens),
      String(kitchens * RUNS_PER_KITCHEN),
      percentile(sorted, 50).toFixed(1),
      p99.toFixed(1),
      String(AIM_P99_MS),
      p99 < AIM_P99_MS ? "yes" : "NO",
    ]);
    // As after Redis lost its data: no scheduler exists, every enabled kitchen needs one.
    await queues.frequent.obliterate({ force: true });
    const [first, firstMs] = await timed(() => reconciler.reconcile());
    const [steady, steadyMs] = await timed(() => reconciler.reconcile());
    const changes = steady.created + steady.updated + steady.repaired + steady.removed + steady.staleOpened;
    passes.push([
      String(kitchens),
      firstMs.toFixed(0),
      String(first.created),
      String(first.staleOpened),
      steadyMs.toFixed(0),
      String(changes),
    ]);
    process.stdout.write(
      `  first page p99 ${p99.toFixed(1)} ms; reconciler ${firstMs.toFixed(0)} / ${steadyMs.toFixed(0)} ms\n`,
    );
  }
  process.stdout.write(
    `\nGET /api/admin/kitchens/health first page (50 rows), ${REQUESTS} sequential requests per size\n`,
  );
  process.stdout.write(`${formatTable(rows)}\n`);
  process.stdout.write("\nReconciler pass (one replica), after Redis lost the schedulers and then steady\n");
  process.stdout.write(`${formatTable(passes)}\n`);
  process.stdout.write(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
  );
});
