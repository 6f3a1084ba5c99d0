/**
 * Cluster mode against a real 3-master Redis Cluster started by this test (Debian's redis-server and
 * redis-cli): the rate limiter, the kitchen locks, the live channel and multi-key reads work across
 * slots; two worker processes and the API, configured with REDIS_CLUSTER_NODES only, sync kitchens on
 * schedule with nothing missed or duplicated.
 */
import type { ChildProcess } from "node:child_process";
import {
  createLogger,
  createRedisClient,
  getMany,
  type KitchenEvent,
  KitchenEventHub,
  kitchenEventPublisher,
  type RedisClient,
  type RedisConnection,
  SlidingWindowRateLimiter,
} from "@occ/core";
import { syncRuns } from "@occ/db";
import {
  describeWithRedisBinaries,
  ensureBuilt,
  freePort,
  type LocalRedisCluster,
  spawnNode,
  startRedisCluster,
  stopProcess,
  until,
} from "@occ/testkit";
import { eq, inArray } from "drizzle-orm";
import { attemptsFromLogs, overlappingAttempts } from "../test/chaos/attempts";
import { noDuplicatedRuns } from "../test/chaos/checks";
import {
  createWorkerTestEnv,
  ensureWorkerBuilt,
  spawnWorker,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";
import { KitchenLocks } from "./kitchen-locks";

jest.setTimeout(180_000);

const describeWithRedis = describeWithRedisBinaries("Cluster tests");

const silentLogger = createLogger({ service: "test", level: "error", format: "json" });

describeWithRedis("Redis Cluster mode (3 masters)", () => {
  let cluster: LocalRedisCluster;
  let connection: RedisConnection;
  const clients: RedisClient[] = [];
  const open = (): RedisClient => {
    const client = createRedisClient(connection);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    connection = {
      mode: "cluster",
      nodes: cluster.ports.map((port) => ({ host: "127.0.0.1", port })),
    };
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await cluster?.close();
  });

  describe("primitives across slots", () => {
    it("the rate limiter keeps each credential's budget, with credentials spread over every master", async () => {
      const redis = open();
      const limiter = new SlidingWindowRateLimiter({ redis, prefix: "occ", limit: 5, windowMs: 60_000 });
      const credentials = Array.from({ length: 30 }, (_, i) => `credential-${i}`);
      const results = await Promise.all(
        credentials.map(async (credential) =>
          Promise.all(Array.from({ length: 8 }, () => limiter.tryAcquire(credential))),
        ),
      );
      for (const waits of results) {
        expect(waits.filter((w) => w === 0)).toHaveLength(5);
        expect(waits.filter((w) => w > 0)).toHaveLength(3);
      }
      // Every master holds some of the limiter's keys: the load is spread, and each script ran where its key is.
      for (const count of await cluster.keysPerNode()) expect(count).toBeGreaterThan(0);
    });

    it("kitchen locks exclude a second run, renew and release on whichever master holds the kitchen", async () => {
      const redis = open();
      const locks = new KitchenLocks({ redis, prefix: "occ", ttlMs: 3_000, logger: silentLogger });
      const kitchens = Array.from({ length: 12 }, (_, i) => i + 1);
      const held = await Promise.all(kitchens.map((k) => locks.acquire(k, `run-a-${k}`)));
      expect(held.every((h) => h !== null)).toBe(true);
      expect(await Promise.all(kitchens.map((k) => locks.acquire(k, `run-b-${k}`)))).toEqual(
        kitchens.map(() => null),
      );
      // KitchenLocks renews on its own (keepAlive, every third of the TTL). Nothing else touches these keys,
      // so a PTTL that rises above the lowest value seen for it is the renewal script at work on that key's
      // master; then the fencing check sees each one still ours.
      const lowestPttl = new Map<number, number>();
      const renewed = new Set<number>();
      await until(
        "every kitchen lock renewed",
        async () => {
          const pttls = await Promise.all(kitchens.map((k) => redis.pttl(locks.keyFor(k))));
          kitchens.forEach((k, i) => {
            const pttl = pttls[i]!;
            const lowest = lowestPttl.get(k) ?? pttl;
            if (pttl > lowest) renewed.add(k);
            lowestPttl.set(k, Math.min(lowest, pttl));
          });
          return renewed.size === kitchens.length;
        },
        10_000,
        50,
      );
      await Promise.all(held.map((h) => h!.ensureHeld()));
      // One read of every lock, though the keys live in different slots (an MGET would be refused).
      const values = await getMany(
        redis,
        kitchens.map((k) => locks.keyFor(k)),
      );
      expect(values).toEqual(kitchens.map((k) => `run-a-${k}`));
      await expect(redis.mget(kitchens.map((k) => locks.keyFor(k)))).rejects.toThrow(/CROSSSLOT/);
      await Promise.all(held.map((h) => h!.release()));
      const retaken = await Promise.all(kitchens.map((k) => locks.acquire(k, `run-b-${k}`)));
      expect(retaken.every((h) => h !== null)).toBe(true);
      await Promise.all(retaken.map((h) => h!.release()));
    });

    it("delivers kitchen events from a publisher on one node to a subscriber on another", async () => {
      const hub = new KitchenEventHub({ connect: open, prefix: "occ", logger: silentLogger });
      const received: KitchenEvent[] = [];
      await hub.subscribe(7, { onEvent: (event) => received.push(event), onClose() {} });
      const publisher = kitchenEventPublisher(open(), "occ", silentLogger);
      await publisher.publish({
        kitchenId: 7,
        runId: "run-1",
        kind: "frequent",
        type: "synced",
        rowsChanged: 3,
        bookingChanges: 1,
      });
      await until("the event", async () => received.length === 1);
      expect(received[0]).toMatchObject({ kitchenId: 7, runId: "run-1", type: "synced" });
      await hub.close();
    });
  });

  describe("two workers and the API configured with REDIS_CLUSTER_NODES", () => {
    // Long enough that a sync on this shared 2-core machine never outlasts an interval (then the next
    // run would be skipped as "kitchen busy", which is correct but not what is measured here).
    const MINUTE_MS = 1_500;
    const INTERVAL_MS = 5 * MINUTE_MS;
    const ADMIN = { email: "ops@example.com", password: "cluster-admin-password" };
    let env: WorkerTestEnv;
    let kitchenIds: number[];
    let workers: WorkerProcess[];
    let api: ChildProcess;
    let apiUrl: string;

    beforeAll(async () => {
      await Promise.all([ensureWorkerBuilt(), ensureBuilt("apps/api", "apps/api/dist/main.js")]);
      env = await createWorkerTestEnv({ properties: 4, rooms: 10, throttlePerMinute: 1_000_000 });
      // Eight kitchens on four credentials: the limiter's keys are shared, as in production.
      kitchenIds = await env.seedKitchens(8, () => ({ syncIntervalMinutes: 5 }));
      const clusterEnv = env.workerEnv({
        REDIS_URL: "",
        REDIS_CLUSTER_NODES: cluster.nodesEnv,
        SYNC_MINUTE_MS: String(MINUTE_MS),
        WORKER_CONCURRENCY: "8",
      });
      workers = [spawnWorker(clusterEnv), spawnWorker(clusterEnv)];
      const apiPort = await freePort();
      apiUrl = `http://127.0.0.1:${apiPort}`;
      api = spawnNode("apps/api/dist/main.js", {
        env: {
          ...clusterEnv,
          PATH: process.env.PATH ?? "",
          NODE_ENV: "test",
          LOG_FORMAT: "json",
          API_HOST: "127.0.0.1",
          API_PORT: String(apiPort),
          JWT_SECRET: "j".repeat(40),
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      await Promise.all(workers.map((w) => w.metricsPort()));
    });

    afterAll(async () => {
      for (const w of workers ?? []) w.kill("SIGKILL");
      if (api) await stopProcess(api, 2_000);
      await env?.close();
    });

    it("runs every kitchen once per interval: none missed, none duplicated, none overlapping", async () => {
      const outcomes = () =>
        workers.flatMap((w) =>
          w.logs.filter(
            (l) => l.message === "sync skipped" || (l.message === "sync finished" && l.outcome === "success"),
          ),
        );
      const dueOf = (line: Record<string, unknown>) => Number(String(line.job_id).split(":").pop());
      // Warm-up: the first run of every kitchen (connections, JIT); what follows is measured.
      await until(
        "every kitchen's first run",
        async () => kitchenIds.every((id) => outcomes().some((l) => l.kitchen_id === id)),
        60_000,
        200,
      );
      const measuredFrom = Date.now();
      const commandsBefore = await cluster.commandsProcessed();
      const measured = (kitchenId: number) =>
        outcomes().filter((l) => l.kitchen_id === kitchenId && dueOf(l) >= measuredFrom);
      const RUNS = 4;
      await until(
        `${RUNS} more scheduled runs of every kitchen`,
        async () => kitchenIds.every((id) => measured(id).length >= RUNS),
        RUNS * 3 * INTERVAL_MS,
        200,
      );
      // For sizing: Redis commands per sync, everything included (BullMQ, schedulers, locks, limiter,
      // events, and the reconciler and metrics at this test's 1.5 s "minute", so an upper bound).
      const syncs = kitchenIds.reduce((n, id) => n + measured(id).length, 0);
      console.log(
        `Redis commands per sync: ${Math.round(((await cluster.commandsProcessed()) - commandsBefore) / syncs)} (${syncs} syncs, 2 workers, 1 API)`,
      );
      for (const kitchenId of kitchenIds) {
        const jobIds = measured(kitchenId).map((l) => String(l.job_id));
        expect(new Set(jobIds).size).toBe(jobIds.length);
        // Due times of consecutive scheduled jobs are one interval apart: no iteration went missing.
        const dues = measured(kitchenId)
          .map(dueOf)
          .sort((a, b) => a - b);
        expect([...new Set(dues.slice(1).map((due, k) => due - dues[k]!))]).toEqual([INTERVAL_MS]);
      }
      const runs = await env.testDb.handle.db
        .select({ status: syncRuns.status })
        .from(syncRuns)
        .where(inArray(syncRuns.kitchenId, kitchenIds));
      expect(runs.filter((r) => r.status === "failed")).toEqual([]);
      const duplicated = await noDuplicatedRuns(env.testDb.handle.db, kitchenIds);
      expect(duplicated.detail).toMatch(/one chain per job/);
      const attempts = workers.flatMap((w, i) => attemptsFromLogs(i, w.logs, null));
      expect(overlappingAttempts(attempts, Date.now())).toEqual([]);
      // Both replicas took work, and the queue, lock and limiter keys are spread over all three masters.
      for (const w of workers) expect(w.logs.some((l) => l.message === "sync finished")).toBe(true);
      for (const count of await cluster.keysPerNode()) expect(count).toBeGreaterThan(0);
      const redisTrouble = workers
        .flatMap((w) => w.logs)
        .filter(
          (l) =>
            /redis connection error|queue worker error/.test(String(l.message)) ||
            /CROSSSLOT/.test(JSON.stringify(l)),
        );
      expect(redisTrouble).toEqual([]);
    });

    it("the API is ready on the cluster, queues a sync now and relays its event over SSE", async () => {
      await until(
        "the API to be ready",
        async () => (await fetch(`${apiUrl}/readyz`).catch(() => null))?.ok,
        30_000,
      );
      const ready = (await (await fetch(`${apiUrl}/readyz`)).json()) as { checks: Record<string, string> };
      expect(ready.checks.redis).toBe("ok");
      const login = await fetch(`${apiUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ADMIN),
      });
      expect(login.status).toBe(200);
      const { access_token: token } = (await login.json()) as { access_token: string };
      const auth = { authorization: `Bearer ${token}` };
      const kitchenId = kitchenIds[0]!;

      const stream = new AbortController();
      const events = await fetch(`${apiUrl}/api/events?kitchen_id=${kitchenId}`, {
        headers: auth,
        signal: stream.signal,
      });
      expect(events.status).toBe(200);
      const reader = events.body!.getReader();
      let received = "";
      const decoder = new TextDecoder();
      await until("the stream to be ready", async () => {
        received += decoder.decode((await reader.read()).value ?? new Uint8Array());
        return received.includes("event: ready");
      });

      const queued = await fetch(`${apiUrl}/api/newbook/frequent-sync/run?kitchen_id=${kitchenId}`, {
        method: "POST",
        headers: auth,
      });
      expect(queued.status).toBe(202);
      const { run_id: runId } = (await queued.json()) as { run_id: string };
      await until(
        "the run's synced event on the stream",
        async () => {
          received += decoder.decode((await reader.read()).value ?? new Uint8Array());
          return received
            .split("\n")
            .filter((line) => line.startsWith("data: "))
            .map((line) => JSON.parse(line.slice(6)) as { run_id?: string; type?: string })
            .some((event) => event.run_id === runId && (event.type === "synced" || event.type === "status"));
        },
        30_000,
        0,
      );
      stream.abort();
      const run = await until("the run to succeed", async () => {
        const [row] = await env.testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
        return row?.status === "success" || row?.status === "skipped" ? row : null;
      });
      expect(run.kitchenId).toBe(kitchenId);
    });
  });
});
