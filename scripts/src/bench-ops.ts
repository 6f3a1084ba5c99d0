/**
 * `npm run bench:ops` (after `npx tsc -b scripts`): the ops view's first page (GET
 * /api/admin/kitchens/health, 50 kitchens, failing and stale first, with totals and state counts) at
 * 1,000 and then 20,000 kitchens, with sync history behind them. The API runs in this process on its
 * own PostgreSQL database (TEST_POSTGRES_URL) and Redis prefix; requests go over HTTP one at a time.
 * Prints p50/p99 per fleet size against the aims (1k: under 200 ms; 20k: p99 under 50 ms).
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { startApi } from "@occ/api";
import { generateEncryptionKey, loadConfig } from "@occ/core";
import { createTestDatabase, openRedisPrefix, seedFleet } from "@occ/testkit";
import { percentile, sortedAscending } from "./bench-support/percentile";
import { runBench } from "./bench-support/run-bench";
import { formatTable } from "./bench-support/table";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const REQUESTS = 300;
const WARM_UP = 20;
const RUNS_PER_KITCHEN = 20;
const STEPS = [
  { kitchens: 1_000, aimP99Ms: 200 },
  { kitchens: 20_000, aimP99Ms: 50 },
];

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
  const login = await fetch(`${api.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@example.com", password }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };

  const rows: string[][] = [["kitchens", "sync runs", "p50 ms", "p99 ms", "aim p99 ms", "met"]];
  let seeded = 0;
  for (const step of STEPS) {
    const seedStarted = performance.now();
    await seedFleet(testDb.handle.db, { kitchens: step.kitchens - seeded, runsPerKitchen: RUNS_PER_KITCHEN });
    seeded = step.kitchens;
    await testDb.handle.pool?.query("analyze");
    process.stdout.write(
      `seeded ${step.kitchens} kitchens in ${Math.round(performance.now() - seedStarted)} ms\n`,
    );
    const sorted = sortedAscending(await measure(api.url, token));
    const p99 = percentile(sorted, 99);
    rows.push([
      String(step.kitchens),
      String(step.kitchens * RUNS_PER_KITCHEN),
      percentile(sorted, 50).toFixed(1),
      p99.toFixed(1),
      String(step.aimP99Ms),
      p99 < step.aimP99Ms ? "yes" : "NO",
    ]);
  }
  process.stdout.write(
    `\nGET /api/admin/kitchens/health first page (50 rows), ${REQUESTS} sequential requests per size\n`,
  );
  process.stdout.write(`${formatTable(rows)}\n`);
  process.stdout.write(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
  );
});
