/**
 * The resilience suite (npm run test:chaos): real worker processes, PostgreSQL, Redis and the Newbook
 * simulator, disrupted on purpose. Each scenario reports what it did and whether every invariant held
 * (see chaos/checks.ts); the table of all scenarios is printed at the end.
 */
import { CleanReference } from "./chaos/reference";
import { failedInvariants, renderReport, type ScenarioReport } from "./chaos/report";
import { runScenario, type SuiteResources } from "./chaos/scenario";
import { sleep } from "./chaos/wait";
import { startWebhookReceiver } from "./chaos/webhook";
import { ensureWorkerBuilt } from "./testing";

const reports: ScenarioReport[] = [];
let resources: SuiteResources;
let closeResources: () => Promise<void>;
const suiteStarted = Date.now();

beforeAll(async () => {
  await ensureWorkerBuilt();
  const [reference, webhook] = await Promise.all([CleanReference.create(), startWebhookReceiver()]);
  resources = { reference, webhook };
  closeResources = async () => {
    await Promise.allSettled([reference.close(), webhook.close()]);
  };
});

afterAll(async () => {
  await closeResources?.();
  process.stdout.write(
    `\nResilience suite (${((Date.now() - suiteStarted) / 1000).toFixed(0)} s)\n${renderReport(reports)}\n`,
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
        await sleep(200 + Math.random() * 400);
      }
      await cluster.ready();
      return { did: `${cluster.kills} SIGKILLs (${midSync} mid-sync), each replaced` };
    },
  );
  record(report);
});
