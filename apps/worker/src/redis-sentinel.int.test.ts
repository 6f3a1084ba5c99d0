/**
 * Sentinel mode against a real master, replica and three sentinels started by this test (Debian's
 * redis-server and redis-sentinel): two worker processes configured with REDIS_SENTINELS sync kitchens,
 * the master is failed over (SENTINEL FAILOVER) while syncs run, and nothing is lost: every kitchen
 * keeps syncing on the new master, no run is left unfinished, no job becomes two runs, no two syncs of
 * a kitchen overlap and every schedule is still in Redis. Then the new master is killed outright.
 */
import { createQueues, type QueueSet } from "@occ/core";
import { syncRuns } from "@occ/db";
import { describeWithRedisBinaries, type LocalSentinelGroup, startSentinelGroup, until } from "@occ/testkit";
import { and, gte, inArray } from "drizzle-orm";
import { attemptsFromLogs } from "../test/chaos/attempts";
import {
  everyKitchenSyncedAfter,
  noDuplicatedRuns,
  noOverlappingSyncs,
  schedulesRestored,
  unfinishedRunsFinish,
} from "../test/chaos/checks";
import {
  createWorkerTestEnv,
  ensureWorkerBuilt,
  spawnWorker,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";

jest.setTimeout(240_000);

const describeWithRedis = describeWithRedisBinaries("Sentinel test");

const MINUTE_MS = 1_000;
const INTERVAL_MS = 5 * MINUTE_MS;

describeWithRedis("Redis Sentinel mode: failovers during syncs", () => {
  let group: LocalSentinelGroup;
  let env: WorkerTestEnv;
  let kitchenIds: number[];
  let workers: WorkerProcess[];
  let queues: QueueSet;

  beforeAll(async () => {
    await ensureWorkerBuilt();
    group = await startSentinelGroup();
    // Newbook answers slowly, so syncs are in flight when the master goes.
    env = await createWorkerTestEnv({
      properties: 4,
      rooms: 10,
      latencyMs: 300,
      throttlePerMinute: 1_000_000,
    });
    kitchenIds = await env.seedKitchens(8, () => ({ syncIntervalMinutes: 5 }));
    const sentinelEnv = env.workerEnv({
      REDIS_URL: "",
      REDIS_SENTINELS: group.sentinelsEnv,
      REDIS_SENTINEL_NAME: group.name,
      SYNC_MINUTE_MS: String(MINUTE_MS),
      WORKER_CONCURRENCY: "8",
    });
    workers = [spawnWorker(sentinelEnv), spawnWorker(sentinelEnv)];
    await Promise.all(workers.map((w) => w.metricsPort()));
    queues = createQueues({
      redis: {
        mode: "sentinel",
        sentinels: group.sentinelsEnv.split(",").map((entry) => {
          const [host, port] = entry.split(":");
          return { host: host!, port: Number(port) };
        }),
        name: group.name,
      },
      prefix: env.prefix,
    });
    // While the sentinels elect a new master this client's connection fails for a moment, as the workers' do.
    for (const queue of [queues.frequent, queues.historical]) queue.on("error", () => undefined);
  });

  afterAll(async () => {
    for (const w of workers ?? []) w.kill("SIGKILL");
    await queues?.close();
    await env?.close();
    await group?.close();
  });

  /** Runs `disrupt` while syncs are in flight, then holds the system to what "nothing lost" means. */
  async function failOverDuringSyncs(disrupt: () => Promise<{ from: number; to: number }>): Promise<void> {
    const db = env.testDb.handle.db;
    const attempts = () => workers.flatMap((w, i) => attemptsFromLogs(i, w.logs, null));
    await until(
      "every kitchen's first run",
      async () =>
        kitchenIds.every((id) => attempts().some((a) => a.kitchenId === id && a.end === "finished")),
      60_000,
      200,
    );
    await until("syncs in flight", async () => attempts().some((a) => a.end === "running"), 30_000, 20);
    const inFlight = attempts().filter((a) => a.end === "running");
    const { from, to } = await disrupt();
    expect(await group.masterPort()).toBe(to);
    expect(to).not.toBe(from);
    const after = new Date();

    const results = [
      await everyKitchenSyncedAfter(db, kitchenIds, after, 4 * INTERVAL_MS),
      await unfinishedRunsFinish(db, 4 * INTERVAL_MS),
      await noDuplicatedRuns(db, kitchenIds),
      await schedulesRestored(queues, kitchenIds, INTERVAL_MS, 2 * INTERVAL_MS),
    ];
    // Two more runs of every kitchen on the new master: the schedule goes on, not just one run.
    await until(
      "two more runs of every kitchen on the new master",
      async () => {
        const rows = await db
          .select({ kitchenId: syncRuns.kitchenId })
          .from(syncRuns)
          .where(and(inArray(syncRuns.kitchenId, kitchenIds), gte(syncRuns.startedAt, after)));
        return kitchenIds.every((id) => rows.filter((r) => r.kitchenId === id).length >= 2);
      },
      6 * INTERVAL_MS,
      200,
    );
    results.push(noOverlappingSyncs(attempts(), { lockLosses: 0, now: Date.now() }));
    const redisErrors = workers
      .flatMap((w) => w.logs)
      .filter((l) => l.message === "redis connection error").length;
    console.log(
      [
        `master ${from} -> ${to} with ${inFlight.length} sync(s) in flight; ${redisErrors} Redis connection error(s) logged by the workers`,
        ...results.map((r) => `${r.held ? "held" : "FAILED"}: ${r.name}: ${r.detail}`),
      ].join("\n"),
    );
    for (const result of results) expect(result).toMatchObject({ held: true });
    // The syncs in flight when the master went ended, each with an outcome.
    const ended = new Set(
      attempts()
        .filter((a) => a.end === "finished")
        .map((a) => `${a.runId}#${a.attempt}`),
    );
    for (const attempt of inFlight) expect(ended.has(`${attempt.runId}#${attempt.attempt}`)).toBe(true);
  }

  it("keeps every kitchen syncing through SENTINEL FAILOVER, losing and duplicating nothing", async () => {
    await failOverDuringSyncs(() => group.failover());
  });

  it("and through the new master being killed (SIGKILL): the sentinels promote the old one back", async () => {
    await failOverDuringSyncs(() => group.killMaster());
  });
});
