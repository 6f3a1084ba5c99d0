/**
 * Helpers for the worker's integration tests: real PostgreSQL, Redis and simulator, and workers
 * as separate OS processes running the built entry point (apps/worker/dist/main.js).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createQueues, generateEncryptionKey, type QueueSet } from "@occ/core";
import { syncRuns } from "@occ/db";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "@occ/newbook-sim";
import {
  createTestDatabase,
  deleteKeysUnder,
  ensureBuilt,
  SimControl,
  seedKitchenWithConnection,
  type TestDatabase,
} from "@occ/testkit";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const WORKER_MAIN = path.join(REPO_ROOT, "apps", "worker", "dist", "main.js");
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Builds the worker (and what it depends on) once per test run; see `ensureBuilt`. */
export function ensureWorkerBuilt(): Promise<void> {
  return ensureBuilt("apps/worker", "apps/worker/dist/main.js");
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Every log line so far: parsed JSON, or `{raw}` for anything else the process printed. */
  logs: Array<Record<string, unknown>>;
  metricsPort(): Promise<number>;
  exited: Promise<number | null>;
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  const onOutput = (stream: NodeJS.ReadableStream) => {
    let buffer = "";
    stream.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // Not one of our log lines (a crash trace, a library's console output): kept for diagnosis.
          if (line.trim()) logs.push({ raw: line });
        }
      }
      for (const listener of listeners) listener();
    });
  };
  onOutput(child.stdout!);
  onOutput(child.stderr!);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitForLog: WorkerProcess["waitForLog"] = (predicate, timeoutMs = 20_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = logs.find(predicate);
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        const recent = logs.slice(-10).map((l) => JSON.stringify(l));
        reject(
          new Error(`no matching worker log line within ${timeoutMs} ms; last lines:\n${recent.join("\n")}`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return {
    child,
    logs,
    exited,
    waitForLog,
    metricsPort: async () => Number((await waitForLog((l) => l.message === "worker started")).metrics_port),
    kill: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

export interface WorkerTestEnv {
  sim: RunningSimulator;
  testDb: TestDatabase;
  redis: Redis;
  prefix: string;
  encryptionKey: string;
  /** Environment for spawned workers; extend per test. */
  workerEnv(overrides?: Record<string, string>): Record<string, string>;
  /** Deletes every Redis key of this environment: what a Redis restart without persistence does to us. */
  wipeRedis(): Promise<number>;
  control<T>(method: string, pathname: string, body?: unknown): Promise<T>;
  runById(runId: string): Promise<typeof syncRuns.$inferSelect | undefined>;
  /** Kitchen i syncs from simulator property `propertyOf(i)` (default: i, modulo the property count). */
  seedKitchens(
    count: number,
    settings: (i: number) => { syncIntervalMinutes: number; isEnabled?: boolean },
    propertyOf?: (i: number) => number,
  ): Promise<number[]>;
  close(): Promise<void>;
}

export async function createWorkerTestEnv(simOptions: SimulatorOptions = {}): Promise<WorkerTestEnv> {
  const [sim, testDb] = await Promise.all([startSimulator(simOptions), createTestDatabase("occ_worker")]);
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = `test-worker-${process.pid}-${randomBytes(4).toString("hex")}`;
  const encryptionKey = generateEncryptionKey();
  const wipeRedis = () => deleteKeysUnder(redis, prefix);
  const simControl = new SimControl(sim.controlUrl);
  return {
    sim,
    testDb,
    redis,
    prefix,
    encryptionKey,
    workerEnv: (overrides = {}) => ({
      DATABASE_URL: testDb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: encryptionKey,
      METRICS_PORT: "0",
      LOG_LEVEL: "info",
      NEWBOOK_RATE_LIMIT: "10000",
      NEWBOOK_MAX_RETRIES: "0",
      NEWBOOK_TIMEOUT_MS: "5000",
      ...overrides,
    }),
    wipeRedis,
    runById: async (runId) => {
      const [run] = await testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
      return run;
    },
    control: (method, pathname, body) => simControl.request(method, pathname, body),
    seedKitchens: async (count, settings, propertyOf = (i: number) => i) => {
      const ids: number[] = [];
      for (let i = 0; i < count; i++) {
        const property = sim.properties[propertyOf(i) % sim.properties.length]!;
        const { kitchenId } = await seedKitchenWithConnection(testDb.handle.db, {
          name: `Kitchen ${i}`,
          timezone: property.timezone,
          property,
          baseUrl: sim.baseUrl,
          encryptionKey,
          settings: { isEnabled: true, ...settings(i) },
        });
        ids.push(kitchenId);
      }
      return ids;
    },
    close: async () => {
      await wipeRedis().catch(() => undefined);
      redis.disconnect();
      await Promise.allSettled([sim.close(), testDb.drop()]);
    },
  };
}

/** What most worker tests run against: a test environment, queues on its prefix and one worker process. */
export interface WorkerFixture {
  env: WorkerTestEnv;
  queues: QueueSet;
  worker: WorkerProcess;
}

/**
 * Builds the worker, creates the environment, lets `prepare` seed or fault it and choose the worker's
 * environment overrides, then starts one worker and waits until it serves its metrics (it is consuming).
 */
export async function startWorkerFixture(
  simOptions: SimulatorOptions,
  prepare: (env: WorkerTestEnv) => Record<string, string> | Promise<Record<string, string>> = () => ({}),
): Promise<WorkerFixture> {
  await ensureWorkerBuilt();
  const env = await createWorkerTestEnv(simOptions);
  const workerEnv = env.workerEnv(await prepare(env));
  const queues = createQueues({ redis: TEST_REDIS_URL, prefix: env.prefix });
  const worker = spawnWorker(workerEnv);
  await worker.metricsPort();
  return { env, queues, worker };
}

/** Stops what `startWorkerFixture` started; tolerates a fixture that failed half-way. */
export async function stopWorkerFixture(fixture: Partial<WorkerFixture>): Promise<void> {
  fixture.worker?.kill("SIGKILL");
  await fixture.queues?.close();
  await fixture.env?.close();
}
