import path from "node:path";
import { createQueues, type QueueSet } from "@occ/core";
import type { Rng } from "@occ/newbook-sim";
import { z } from "zod";
import { createWorkerTestEnv, type WorkerTestEnv } from "../harness";
import { BookingChurn } from "./bookings";
import {
  budgetHeld,
  dataEqualsCleanSync,
  everyKitchenSyncedAfter,
  noAlertLeftOpen,
  noDuplicatedRuns,
  noOverlappingSyncs,
  schedulesRestored,
  unfinishedRunsFinish,
  type WipeSpan,
} from "./checks";
import { WorkerCluster } from "./cluster";
import type { CleanReference } from "./reference";
import { type InvariantResult, invariant, type ScenarioReport } from "./report";
import type { AlertPost } from "./webhook";

export interface ScenarioSettings {
  name: string;
  /** Simulator properties, and which one kitchen i syncs from (default: property i). */
  properties: number;
  kitchens: number;
  propertyOf?: (i: number) => number;
  workers: number;
  /** SYNC_MINUTE_MS: every kitchen syncs every 5 of these. */
  minuteMs: number;
  /** Simulator latency per request, so that syncs are in flight when the disruption strikes. */
  latencyMs: number;
  workerEnv?: Record<string, string>;
}

export interface ScenarioContext {
  env: WorkerTestEnv;
  cluster: WorkerCluster;
  queues: QueueSet;
  kitchens: number[];
  churn: BookingChurn;
  /** Alerts the workers posted to this scenario's webhook path so far. */
  alertPosts(): AlertPost[];
}

export interface DisruptionOutcome {
  /** What it did, for the report: counts of kills, wipes, restarts, faults. */
  did: string;
  /** When Redis lost its data (and with it the kitchen locks of the syncs then running). */
  wipes?: WipeSpan[];
  /** Checks only this scenario makes, run once the kitchens have recovered. */
  checks?: Array<() => Promise<InvariantResult>>;
}

export interface SuiteResources {
  reference: CleanReference;
  webhook: { url: string; posts: AlertPost[] };
  /** Every random choice of the suite (victims, booking changes, pauses), from one printed seed. */
  random: Rng;
}

const INTERVAL_MINUTES = 5;
/**
 * BullMQ hands a dead worker's job over after 1-2x this; the kitchen lock lives a third of it. 2 s
 * made the kitchen lock (667 ms) expire under the event-loop stalls of a loaded 2-core machine, and a
 * worker whose lock expired keeps syncing, so two syncs of a kitchen overlapped; 6 s leaves a 2 s lock.
 */
const JOB_LOCK_MS = 6_000;
const RATE_LIMIT = 20;
const RATE_WINDOW_MS = 1_000;
const RECOVERY_TIMEOUT_MS = 45_000;
const SETTLE_TIMEOUT_MS = 15_000;

const LOG_DIR = path.resolve(__dirname, "..", "..", "..", "..", "test-artifacts", "chaos");

const requestLog = z.object({
  requests: z.array(z.object({ username: z.string().nullable(), at: z.string().transform(Date.parse) })),
});

/**
 * One scenario from start to report: a fresh database, Redis prefix and simulator; kitchens syncing
 * every 5 (scaled) minutes on a cluster of built worker processes; the disruption; then every invariant.
 */
export async function runScenario(
  settings: ScenarioSettings,
  resources: SuiteResources,
  disrupt: (ctx: ScenarioContext) => Promise<DisruptionOutcome>,
): Promise<ScenarioReport> {
  const started = Date.now();
  const env = await createWorkerTestEnv({
    properties: settings.properties,
    rooms: 15,
    throttlePerMinute: 1_000_000,
    latencyMs: settings.latencyMs,
  });
  const slug = settings.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const webhookPath = `/${slug}`;
  const workerEnv = env.workerEnv({
    SYNC_MINUTE_MS: String(settings.minuteMs),
    JOB_LOCK_MS: String(JOB_LOCK_MS),
    JOB_ATTEMPTS: "3",
    JOB_BACKOFF_MS: "50",
    NEWBOOK_TIMEOUT_MS: "2000",
    NEWBOOK_RATE_LIMIT: String(RATE_LIMIT),
    NEWBOOK_RATE_WINDOW_MS: String(RATE_WINDOW_MS),
    ALERT_WEBHOOK_URL: `${resources.webhook.url}${webhookPath}`,
    SHUTDOWN_TIMEOUT_MS: "5000",
    ...settings.workerEnv,
  });
  const cluster = new WorkerCluster(workerEnv, resources.random);
  const queues = createQueues({ redis: workerEnv.REDIS_URL!, prefix: env.prefix });
  const propertyOf = settings.propertyOf ?? ((i: number) => i);
  const invariants: InvariantResult[] = [];
  const notes: string[] = [];
  const db = env.testDb.handle.db;
  try {
    const kitchens = await env.seedKitchens(
      settings.kitchens,
      () => ({ syncIntervalMinutes: INTERVAL_MINUTES }),
      propertyOf,
    );
    for (let i = 0; i < settings.workers; i++) cluster.spawn();
    await cluster.ready();
    const warm = await everyKitchenSyncedAfter(db, kitchens, new Date(started), 30_000);
    if (!warm.held) throw new Error(`the kitchens did not sync before the disruption: ${warm.detail}`);

    const churn = new BookingChurn(env.control, env.sim.properties, resources.random);
    const outcome = await disrupt({
      env,
      cluster,
      queues,
      kitchens,
      churn,
      alertPosts: () => resources.webhook.posts.filter((p) => p.path === webhookPath),
    });
    const disruptionEnded = new Date();
    notes.push(outcome.did, `${churn.changes} booking changes`);

    invariants.push(await everyKitchenSyncedAfter(db, kitchens, disruptionEnded, RECOVERY_TIMEOUT_MS));
    invariants.push(await unfinishedRunsFinish(db, SETTLE_TIMEOUT_MS));
    invariants.push(
      await schedulesRestored(queues, kitchens, INTERVAL_MINUTES * settings.minuteMs, SETTLE_TIMEOUT_MS),
    );
    invariants.push(await noAlertLeftOpen(db, kitchens, SETTLE_TIMEOUT_MS));
    for (const check of outcome.checks ?? []) invariants.push(await check());

    await cluster.stop();
    const lockLosses = cluster.logs(
      (l) => l.message === "kitchen lock lost while the sync was running",
    ).length;
    invariants.push(
      noOverlappingSyncs(cluster.attempts(), { lockLosses, now: Date.now(), wipes: outcome.wipes }),
    );
    invariants.push(await noDuplicatedRuns(db, kitchens));
    const { requests } = requestLog.parse(await env.control("GET", "/requests"));
    invariants.push(
      budgetHeld(requests, {
        limit: Number(workerEnv.NEWBOOK_RATE_LIMIT),
        windowMs: Number(workerEnv.NEWBOOK_RATE_WINDOW_MS),
      }),
    );
    invariants.push(
      await dataEqualsCleanSync(
        db,
        resources.reference,
        kitchens.map((kitchenId, i) => ({
          kitchenId,
          property: env.sim.properties[propertyOf(i) % env.sim.properties.length]!,
          baseUrl: env.sim.baseUrl,
          encryptionKey: env.encryptionKey,
        })),
      ),
    );
  } catch (error) {
    // The report still shows what was measured before, and that the scenario broke off.
    invariants.push(
      invariant("scenario ran to the end", false, error instanceof Error ? error.message : String(error)),
    );
  }
  try {
    notes.push(`${settings.kitchens} kitchens, ${cluster.members.length} worker processes`);
    if (invariants.some((i) => !i.held)) {
      const file = path.join(LOG_DIR, `${slug}.jsonl`);
      cluster.writeLogs(file);
      notes.push(`worker logs in ${path.relative(process.cwd(), file)}`);
    }
    return { name: settings.name, did: notes.join("; "), durationMs: Date.now() - started, invariants };
  } finally {
    cluster.killAll();
    await queues.close().catch(() => undefined);
    await env.close();
  }
}
