/**
 * The resilience suite (npm run test:chaos): real worker processes, PostgreSQL, Redis and the Newbook
 * simulator, disrupted on purpose. Each scenario reports what it did and whether every invariant held
 * (see chaos/checks.ts); the table of all scenarios is printed at the end.
 */
import { randomInt, randomUUID } from "node:crypto";
import { enqueueSyncNow } from "@occ/core";
import { FAULT_TYPES, mulberry32 } from "@occ/newbook-sim";
import { sleep, TEST_POSTGRES_URL } from "@occ/testkit";
import { ensureWorkerBuilt, type WorkerTestEnv } from "../harness";
import { alertsOpenedAndResolved, everyKitchenSyncedAfter, isFailureAlert, type WipeSpan } from "./checks";
import { choosePostgresDisruption, ensurePostgresUp, restartPostgres, terminateBackends } from "./postgres";
import { CleanReference } from "./reference";
import { failedInvariants, renderReport, type ScenarioReport } from "./report";
import { runScenario, type SuiteResources } from "./scenario";
import { pollUntil } from "./wait";
import { startWebhookReceiver } from "./webhook";

const reports: ScenarioReport[] = [];
let resources: SuiteResources;
let closeResources: () => Promise<void>;
const suiteStarted = Date.now();
// Seeded, and the seed printed, so a failing run's random choices can be replayed with CHAOS_SEED=<seed>.
const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomInt(2 ** 31);
process.stdout.write(`Resilience suite seed ${seed} (replay: CHAOS_SEED=${seed} npm run test:chaos)\n`);

beforeAll(async () => {
  await ensureWorkerBuilt();
  const [reference, webhook] = await Promise.all([CleanReference.create(), startWebhookReceiver()]);
  resources = { reference, webhook, random: mulberry32(seed) };
  closeResources = async () => {
    await Promise.allSettled([reference.close(), webhook.close()]);
  };
});

afterAll(async () => {
  await closeResources?.();
  process.stdout.write(
    `\nResilience suite (${((Date.now() - suiteStarted) / 1000).toFixed(0)} s, seed ${seed})\n${renderReport(reports)}\n`,
  );
});

function record(report: ScenarioReport): void {
  reports.push(report);
  expect(failedInvariants(report)).toEqual([]);
}

const KILLS = 20;

it("keeps syncing correctly while workers are SIGKILLed mid-sync and replaced", async () => {
  const report = await runScenario(
    { name: "SIGKILL workers", properties: 6, kitchens: 6, workers: 3, minuteMs: 200, latencyMs: 400 },
    resources,
    async ({ cluster, churn }) => {
      let midSync = 0;
      for (let i = 0; i < KILLS; i++) {
        const { member, midSync: busy } = await cluster.pickVictim(1_500);
        await cluster.kill(member);
        if (busy) midSync++;
        cluster.spawn();
        await churn.change();
        await sleep(200 + resources.random() * 400);
      }
      await cluster.ready();
      return { did: `${cluster.kills} SIGKILLs (${midSync} mid-sync), each replaced` };
    },
  );
  record(report);
});

const WIPES = 3;

it("restores schedules and keeps data right when Redis loses every key of ours, mid-sync", async () => {
  const report = await runScenario(
    { name: "Redis wipe", properties: 6, kitchens: 6, workers: 3, minuteMs: 200, latencyMs: 300 },
    resources,
    async ({ env, cluster, churn, kitchens }) => {
      let keys = 0;
      let midSync = 0;
      const wipes: WipeSpan[] = [];
      for (let i = 0; i < WIPES; i++) {
        if (await cluster.busyMembers(1_500)) midSync++;
        const from = Date.now();
        keys += await env.wipeRedis();
        wipes.push({ from, to: Date.now() });
        await churn.change();
        await recovered(env, kitchens, new Date(from));
      }
      return {
        did: `${WIPES} wipes of every key of the test prefix (${keys} keys; ${midSync} mid-sync)`,
        wipes,
      };
    },
  );
  record(report);
});

const PG_DISRUPTIONS = 2;

/**
 * Paces repeated disruptions by the system rather than the clock: the next one comes once every kitchen
 * has synced again since the last (or after 30 s). Whether that held is judged after the last disruption
 * by the scenario's own "every kitchen synced after the disruption" invariant, so the result is not used.
 */
async function recovered(env: WorkerTestEnv, kitchens: readonly number[], since: Date): Promise<void> {
  await everyKitchenSyncedAfter(env.testDb.handle.db, kitchens, since, 30_000);
}

it("recovers when PostgreSQL restarts under running syncs", async () => {
  const disruption = choosePostgresDisruption();
  try {
    const report = await runScenario(
      {
        name: "PostgreSQL restart",
        properties: 6,
        kitchens: 6,
        workers: 3,
        minuteMs: 200,
        latencyMs: 300,
        // A job's retries must outlast the outage, as in production (10 s, then 20 s, against a restart
        // of seconds). With 50 ms all three attempts failed while PostgreSQL was down, none could be
        // recorded, and their run stayed "running" for ever.
        workerEnv: { JOB_BACKOFF_MS: "3000" },
      },
      resources,
      async ({ env, cluster, churn, kitchens }) => {
        const effects: number[] = [];
        for (let i = 0; i < PG_DISRUPTIONS; i++) {
          await cluster.busyMembers(1_500);
          effects.push(
            disruption.mode === "restart"
              ? await restartPostgres(disruption)
              : await terminateBackends(TEST_POSTGRES_URL, env.testDb.name, 3_000),
          );
          const answeredAgain = new Date();
          await churn.change();
          await recovered(env, kitchens, answeredAgain);
        }
        return {
          did:
            disruption.mode === "restart"
              ? `${PG_DISRUPTIONS} real restarts of PostgreSQL ${disruption.version} (${effects.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(", ")} until it answered again)`
              : `FALLBACK (${disruption.reason}): for 3 s, ${PG_DISRUPTIONS} times, terminated every session of the test database (${effects.join(", ")} sessions)`,
        };
      },
    );
    record(report);
  } finally {
    await ensurePostgresUp(disruption);
  }
});

it("alerts on every kind of Newbook failure and recovers when they clear", async () => {
  const report = await runScenario(
    {
      name: "Newbook faults",
      properties: FAULT_TYPES.length,
      kitchens: FAULT_TYPES.length,
      workers: 3,
      minuteMs: 200,
      latencyMs: 50,
      workerEnv: { ALERT_FAILURE_THRESHOLD: "2", NEWBOOK_TIMEOUT_MS: "1000" },
    },
    resources,
    async ({ env, kitchens, churn, alertPosts, queues }) => {
      const properties = env.sim.properties;
      // Kitchen i syncs from property i, which now fails with fault i.
      for (const [i, type] of FAULT_TYPES.entries())
        await env.control("POST", `/properties/${properties[i]!.id}/faults`, { type });
      const faultsFrom = Date.now();
      const everyKitchenAlerted = () =>
        kitchens.every((k) =>
          alertPosts().some(
            (p) => p.event === "opened" && isFailureAlert(p.alert.kind) && p.alert.kitchen_id === k,
          ),
        );
      await pollUntil(
        async () => {
          await churn.change();
          return everyKitchenAlerted();
        },
        30_000,
        500,
      );
      const faultSeconds = (Date.now() - faultsFrom) / 1000;
      for (const property of properties) await env.control("DELETE", `/properties/${property.id}/faults`);
      // A rejected login pauses the kitchen until someone acts: here the manager presses Sync now.
      const rejected = new Set(
        alertPosts()
          .filter((p) => p.event === "opened" && p.alert.kind === "credentials_rejected")
          .map((p) => p.alert.kitchen_id),
      );
      for (const kitchenId of rejected) await enqueueSyncNow(queues, kitchenId, randomUUID());
      return {
        did: `${FAULT_TYPES.length} fault types (${FAULT_TYPES.join(", ")}), one per kitchen, for ${faultSeconds.toFixed(1)} s; then cleared`,
        checks: [() => alertsOpenedAndResolved(alertPosts, kitchens, 15_000)],
      };
    },
  );
  record(report);
});

/**
 * Newbook counts requests as they arrive; the limiter counts them when it grants a slot and keeps each
 * slot 5% of the window (at most 1 s) longer to cover the gap. With a 1 s window that margin is 50 ms,
 * and a loaded 2-core machine delays requests by more (21-25 arrived within 1 s against a budget of 20;
 * with 5 s, 76 within 4.97 s against 75), so the window here is 10 s (a 500 ms margin) like Newbook's
 * minute is to the production margin of 1 s. The budget is below what the kitchens ask for (10/s).
 */
const SHARED_BUDGET = { limit: 60, windowMs: 10_000 };
const SHARED_LOAD_MS = 15_000;

it("keeps 10 kitchens on one credential within its request budget across 3 workers", async () => {
  const report = await runScenario(
    {
      name: "Shared credential budget",
      properties: 1,
      kitchens: 10,
      propertyOf: () => 0,
      workers: 3,
      minuteMs: 200,
      latencyMs: 50,
      workerEnv: {
        NEWBOOK_RATE_LIMIT: String(SHARED_BUDGET.limit),
        NEWBOOK_RATE_WINDOW_MS: String(SHARED_BUDGET.windowMs),
      },
    },
    resources,
    async ({ churn }) => {
      const until = Date.now() + SHARED_LOAD_MS;
      while (Date.now() < until) {
        await churn.change();
        await sleep(1_000);
      }
      return {
        did: `10 kitchens on one credential, each every 1 s, for ${SHARED_LOAD_MS / 1000} s; budget ${SHARED_BUDGET.limit} per ${SHARED_BUDGET.windowMs / 1000} s`,
      };
    },
  );
  record(report);
});
