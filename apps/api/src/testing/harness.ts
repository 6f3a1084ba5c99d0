import { randomBytes, randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import {
  type Config,
  createLogger,
  createQueues,
  duplicateClient,
  generateEncryptionKey,
  KitchenEventHub,
  type Logger,
  loadConfig,
  type QueueSet,
  type RedisClient,
  SecretBox,
} from "@occ/core";
import { syncRuns } from "@occ/db";
import { createTestDatabase, deleteKeysUnder, type TestDatabase } from "@occ/testkit";

import type { Express } from "express";
import request from "supertest";
import { createApp } from "../app";
import type { AppDeps } from "../deps";
import { createApiRedis } from "../index";
import { type ConnectionInput, saveConnection } from "../services/connection";
import { createKitchen } from "../services/kitchens";
import { createUser } from "../services/users";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Log lines captured from the app (JSON), for assertions such as "no secret was ever logged". */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new PassThrough();
  constructor() {
    this.stream.on("data", (chunk: Buffer) =>
      this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean)),
    );
  }
  text(): string {
    return this.lines.join("\n");
  }
}

function quietLogger(capture: LogCapture): Logger {
  const logger = createLogger({ service: "api", level: "debug", format: "json", stream: capture.stream });
  for (const transport of [...logger.transports]) {
    if (transport.constructor.name === "Console") logger.remove(transport);
  }
  return logger;
}

export interface Harness {
  app: Express;
  config: Config;
  db: TestDatabase;
  redis: RedisClient;
  queues: QueueSet;
  logs: LogCapture;
  prefix: string;
  deps: AppDeps;
  /** Builds another app over the same database (e.g. with different deps). */
  makeApp(overrides?: Partial<AppDeps>): Express;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  now?: () => Date;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const prefix = `test-api-${process.pid}-${randomBytes(4).toString("hex")}`;
  const config = loadConfig({
    NODE_ENV: "test",
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    JWT_SECRET: randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: generateEncryptionKey(),
    // The simulator and test servers listen on loopback, which only an explicit entry allows.
    NEWBOOK_ALLOWED_HOSTS: "api.newbook.cloud,testapi.newbook.cloud,127.0.0.1",
    ...options.env,
  });
  const db = await createTestDatabase("occ_api");
  const logs = new LogCapture();
  const logger = quietLogger(logs);
  const redis = createApiRedis(TEST_REDIS_URL, logger);
  const queues = createQueues({ redis: TEST_REDIS_URL, prefix });
  const events = new KitchenEventHub({ connect: () => duplicateClient(redis), prefix, logger });
  const deps: AppDeps = {
    config,
    db: db.handle,
    redis,
    queues,
    logger,
    events,
    now: options.now,
    uiDistDir: "/nonexistent",
  };
  const makeApp = (overrides: Partial<AppDeps> = {}) => createApp({ ...deps, ...overrides });
  return {
    app: makeApp(),
    config,
    db,
    redis,
    queues,
    logs,
    prefix,
    deps,
    makeApp,
    async close() {
      await queues.frequent.obliterate({ force: true }).catch(() => undefined);
      await queues.historical.obliterate({ force: true }).catch(() => undefined);
      await queues.close();
      await events.close();
      await deleteKeysUnder(redis, prefix);
      redis.disconnect();
      await db.drop();
    },
  };
}

export interface TestKitchen {
  id: number;
  token: string;
  email: string;
  password: string;
}

let counter = 0;

/** A kitchen with a manager, signed in through the real login endpoint. */
export async function addKitchenWithManager(
  h: Harness,
  name = "Kitchen",
  timezone = "Europe/London",
): Promise<TestKitchen> {
  const kitchen = await createKitchen(h.db.handle.db, { name, timezone });
  counter += 1;
  const email = `manager${counter}-${kitchen.id}@example.com`;
  const password = `pw-${randomBytes(6).toString("hex")}`;
  await createUser(h.db.handle.db, { email, password, role: "manager", kitchen_id: kitchen.id });
  return { id: kitchen.id, token: await login(h.app, email, password), email, password };
}

export async function addAdmin(
  h: Harness,
): Promise<{ token: string; email: string; id: number; password: string }> {
  counter += 1;
  const email = `admin${counter}@example.com`;
  const password = `pw-${randomBytes(6).toString("hex")}`;
  const user = await createUser(h.db.handle.db, { email, password, role: "admin", kitchen_id: null });
  return { token: await login(h.app, email, password), email, id: user.id, password };
}

export async function login(app: Express, email: string, password: string): Promise<string> {
  const res = await request(app).post("/api/auth/login").send({ email, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { access_token: string }).access_token;
}

/** Seeds the kitchen's Newbook connection through the service (no connection test), under the app's key. */
export async function connectKitchen(
  h: Harness,
  kitchenId: number,
  connection: ConnectionInput,
): Promise<void> {
  await saveConnection(
    h.db.handle.db,
    new SecretBox(h.config.ENCRYPTION_KEY!),
    kitchenId,
    connection,
    h.config.NEWBOOK_ALLOWED_HOSTS,
  );
}

/** A failed historical run of the kitchen (job id = run id, as the API queues one): something to resume. */
async function addFailedHistoricalRun(h: Harness, kitchenId: number): Promise<string> {
  const id = randomUUID();
  await h.db.handle.db.insert(syncRuns).values({
    id,
    kitchenId,
    kind: "historical",
    trigger: "historical",
    status: "failed",
    windowFrom: "2025-01-01",
    windowTo: "2025-01-02",
    jobId: id,
  });
  return id;
}

/**
 * The cross-kitchen walks' world: a "Victim" kitchen and another one, both with a manager and a connection
 * (EU, user "u", the given secrets: a test looks for them where they must not appear), and a failed
 * historical run of the victim's whose id the other kitchen must not reach.
 */
export async function seedVictimAndOther(
  h: Harness,
  otherName: string,
  secrets: Pick<ConnectionInput, "base_url" | "password" | "api_key">,
): Promise<{ victim: TestKitchen; other: TestKitchen; victimRunId: string }> {
  const victim = await addKitchenWithManager(h, "Victim");
  const other = await addKitchenWithManager(h, otherName);
  for (const k of [victim, other]) await connectKitchen(h, k.id, { region: "eu", username: "u", ...secrets });
  return { victim, other, victimRunId: await addFailedHistoricalRun(h, victim.id) };
}
