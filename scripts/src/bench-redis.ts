/**
 * bench:redis — what Redis holds per kitchen and per Newbook credential, for sizing. Starts its own
 * 3-master Redis Cluster (Debian's redis-server and redis-cli, free local ports, removed at the end), in
 * Cluster mode as production would run it at scale, and measures used_memory on each master:
 *  - N kitchens' job schedulers, each with its next run waiting as a delayed job (what every enabled
 *    kitchen costs all the time), created the way the schedule owner does;
 *  - C credentials' rate-limiter windows filled to the budget (NEWBOOK_RATE_LIMIT slots each).
 * BENCH_REDIS_KITCHENS (default 5000) and BENCH_REDIS_CREDENTIALS (default 500) change the counts.
 */
import {
  createQueues,
  createRedisClient,
  loadConfig,
  type RedisConnection,
  rateLimiterFromConfig,
  scheduleOptionsFromConfig,
  upsertKitchenScheduler,
} from "@occ/core";
import { redisCli, startRedisCluster } from "@occ/testkit";
import { runBench } from "./bench-support/run-bench";

const KITCHENS = Number(process.env.BENCH_REDIS_KITCHENS ?? 5000);
const CREDENTIALS = Number(process.env.BENCH_REDIS_CREDENTIALS ?? 500);

async function usedMemory(ports: number[]): Promise<number[]> {
  return Promise.all(
    ports.map(async (port) => Number(/used_memory:(\d+)/.exec(await redisCli(port, "INFO", "memory"))![1])),
  );
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

runBench("bench:redis", async (defer) => {
  const cluster = await startRedisCluster(3);
  defer(() => cluster.close());
  const redis: RedisConnection = {
    mode: "cluster",
    nodes: cluster.ports.map((port) => ({ host: "127.0.0.1", port })),
  };
  const config = loadConfig({ REDIS_CLUSTER_NODES: cluster.nodesEnv });
  const queues = createQueues({ redis, prefix: config.QUEUE_PREFIX });
  defer(() => queues.close());
  const options = scheduleOptionsFromConfig(config);

  const before = await usedMemory(cluster.ports);
  const kitchens = Array.from({ length: KITCHENS }, (_, i) => i + 1);
  const started = Date.now();
  await inBatches(kitchens, 100, (kitchenId) =>
    upsertKitchenScheduler(queues, kitchenId, { everyMs: 5 * 60_000, startAt: Date.now() + 60_000 }, options),
  );
  const upsertMs = Date.now() - started;
  const afterSchedulers = await usedMemory(cluster.ports);
  const schedulerBytes = afterSchedulers.map((m, i) => m - before[i]!);

  const client = createRedisClient(redis);
  defer(() => client.disconnect());
  const limiter = rateLimiterFromConfig(config, client);
  const credentials = Array.from({ length: CREDENTIALS }, (_, i) => `bench-credential-${i}`);
  await inBatches(credentials, 50, async (credential) => {
    for (let slot = 0; slot < config.NEWBOOK_RATE_LIMIT; slot++) await limiter.tryAcquire(credential);
  });
  const afterLimiter = await usedMemory(cluster.ports);
  const limiterBytes = afterLimiter.map((m, i) => m - afterSchedulers[i]!);

  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const perKitchen = sum(schedulerBytes) / KITCHENS;
  const perCredential = sum(limiterBytes) / CREDENTIALS;
  const lines = [
    `bench:redis — 3-master Cluster, ${KITCHENS} kitchens, ${CREDENTIALS} credentials at ${config.NEWBOOK_RATE_LIMIT} slots`,
    `schedulers + next delayed job: ${mb(sum(schedulerBytes))} = ${Math.round(perKitchen)} bytes per kitchen ` +
      `(per master: ${schedulerBytes.map(mb).join(" / ")}; the frequent-sync queue is one hash tag, so one master holds it); ` +
      `upserted in ${upsertMs} ms`,
    `rate-limiter windows: ${mb(sum(limiterBytes))} = ${Math.round(perCredential)} bytes per credential at a full budget ` +
      `(per master: ${limiterBytes.map(mb).join(" / ")})`,
    ...[1_000, 10_000, 50_000].map(
      (n) =>
        `${n} kitchens (one credential each, worst case): ~${mb(n * (perKitchen + perCredential))} of schedules and windows`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
});
