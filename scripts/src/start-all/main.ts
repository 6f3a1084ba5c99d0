import { createHash } from "node:crypto";
import path from "node:path";
import { startApi } from "@occ/api";
import { createLogger, describeRedis, loadConfigOrExit } from "@occ/core";
import { createDb, migrate } from "@occ/db";
import { startSimulator } from "@occ/newbook-sim";
import { startWorker } from "@occ/worker";
import { seedDemo } from "./demo-seed";
import { chooseRedis, RedisUnavailableError } from "./redis";
import { loadOrCreateDemoSecrets } from "./secrets";

/** Fixed so the simulator's URL stored in the demo kitchens' connections survives a restart. */
const DEMO_SIM_PORT = Number(process.env.SIM_PORT ?? 4010);
const DEMO_ADMIN_EMAIL = "admin@demo.local";

/**
 * `npm start`: API, one worker, the admin UI and (in demo mode) the Newbook simulator with two demo hotels,
 * all in this one process on an embedded PGlite database.
 */
async function main(): Promise<void> {
  const production = process.env.NODE_ENV === "production" || Boolean(process.env.DATABASE_URL);
  const demo = process.env.DEMO !== undefined ? /^(1|true|yes)$/.test(process.env.DEMO) : !production;
  const dataDir = path.resolve(process.env.DATA_DIR ?? "./.data");
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };

  // Demo mode only: secrets are generated once into DATA_DIR. Production must bring its own (config enforces).
  const secrets = demo ? loadOrCreateDemoSecrets(dataDir) : null;
  if (secrets) {
    env.JWT_SECRET ??= secrets.jwtSecret;
    env.ENCRYPTION_KEY ??= secrets.encryptionKey;
    env.ADMIN_EMAIL ??= DEMO_ADMIN_EMAIL;
    env.ADMIN_PASSWORD ??= secrets.adminPassword;
    // A demo often shares the machine's Redis: its own key prefix per DATA_DIR keeps its schedules apart.
    // The demo's Newbook is the local simulator: loopback must be named explicitly to be allowed.
    env.NEWBOOK_ALLOWED_HOSTS ??= `api.newbook.cloud,testapi.newbook.cloud,127.0.0.1:${DEMO_SIM_PORT}`;
    env.QUEUE_PREFIX ??= `occ-demo-${createHash("sha256").update(dataDir).digest("hex").slice(0, 8)}`;
  }

  // Sentinel or Cluster is used as configured; only a single Redis is looked for (or started).
  const multiNode = Boolean(env.REDIS_SENTINELS?.trim() || env.REDIS_CLUSTER_NODES?.trim());
  let redis: Awaited<ReturnType<typeof chooseRedis>> | null = null;
  try {
    if (!multiNode) redis = await chooseRedis(env.REDIS_URL);
  } catch (error) {
    if (error instanceof RedisUnavailableError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (redis) env.REDIS_URL = redis.url;
  const config = loadConfigOrExit(env);
  const logger = createLogger({
    service: "occupancy-sync",
    level: config.LOG_LEVEL,
    format: config.logFormat,
  });

  const sim = demo
    ? await startSimulator({
        port: DEMO_SIM_PORT,
        seed: 2026,
        properties: 2,
        rooms: [120, 24],
        timezones: ["Europe/London", "Pacific/Auckland"],
        latencyMs: 40,
      })
    : null;
  const db = await createDb({ databaseUrl: config.DATABASE_URL, dataDir });
  await migrate(db);
  const api = await startApi(config, { db, logger });
  const worker = await startWorker(config, { db, logger });

  const logins =
    sim && secrets
      ? await seedDemo(
          api.url,
          sim,
          {
            email: config.ADMIN_EMAIL ?? DEMO_ADMIN_EMAIL,
            password: config.ADMIN_PASSWORD ?? secrets.adminPassword,
          },
          secrets.managerPassword,
        )
      : [];

  const lines = [
    "",
    `Occupancy Sync is running: ${api.url}`,
    `  Bull Board (admins): ${api.url}/admin/queues  (open it from the Ops page)`,
    `  API docs: ${api.url}/api/openapi.json   metrics: ${api.url}/metrics, worker :${worker.metricsPort}/metrics`,
    `  Redis: ${redis ? `${redis.url} (${redis.source})` : describeRedis(config.redis)}   database: ${db.kind === "pglite" ? `PGlite in ${dataDir}/pglite` : "PostgreSQL"}`,
  ];
  if (sim) lines.push(`  Newbook simulator: ${sim.baseUrl} (control: ${sim.controlUrl})`);
  if (logins.length) {
    lines.push("  Demo logins:");
    for (const login of logins)
      lines.push(
        `    ${login.email.padEnd(22)} ${login.password}  ${login.kitchen ?? "(admin: all kitchens, Ops, Bull Board)"}`,
      );
  }
  process.stdout.write(`${lines.join("\n")}\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    await api.close();
    await worker.close();
    await db.close();
    await sim?.close();
    await redis?.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
