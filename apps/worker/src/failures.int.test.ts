import { randomUUID } from "node:crypto";
import { enqueueSyncNow, type QueueSet, readKitchenSchedule } from "@occ/core";
import { alerts, newbookFrequentSyncSettings as settings, syncRuns } from "@occ/db";
import { type PostReceiver, startPostReceiver, until } from "@occ/testkit";
import { and, eq } from "drizzle-orm";
import {
  startWorkerFixture,
  stopWorkerFixture,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";

jest.setTimeout(90_000);

const MINUTE_MS = 200;

interface WebhookPost {
  text: string;
  event: "opened" | "resolved";
  alert: { kitchen_id: number; kind: string; severity: string };
}

let env: WorkerTestEnv;
let worker: WorkerProcess;
let queues: QueueSet;
let webhook: PostReceiver<WebhookPost>;
const posts = () => webhook.posts.map((p) => p.body);
let failing: number;
let rejected: number;

async function settingsOf(kitchenId: number) {
  const [row] = await env.testDb.handle.db.select().from(settings).where(eq(settings.kitchenId, kitchenId));
  return row!;
}

async function openAlerts(kitchenId: number) {
  return env.testDb.handle.db
    .select()
    .from(alerts)
    .where(and(eq(alerts.kitchenId, kitchenId), eq(alerts.state, "open")));
}

beforeAll(async () => {
  webhook = await startPostReceiver<WebhookPost>();
  ({ env, queues, worker } = await startWorkerFixture(
    { properties: 2, rooms: 10, throttlePerMinute: 1_000_000 },
    async (env) => {
      const [p0, p1] = env.sim.properties;
      await env.control("POST", `/properties/${p0!.id}/faults`, { type: "http500" });
      await env.control("POST", `/properties/${p1!.id}/faults`, { type: "http401" });
      // Kitchen i uses property i % 2: the first fails with 500s, the second has its credentials rejected.
      [failing, rejected] = (await env.seedKitchens(2, (i) => ({
        syncIntervalMinutes: i === 0 ? 5 : 60,
      }))) as [number, number];
      return {
        SYNC_MINUTE_MS: String(MINUTE_MS),
        JOB_ATTEMPTS: "2",
        JOB_BACKOFF_MS: "50",
        BACKOFF_AFTER_FAILURES: "3",
        ALERT_FAILURE_THRESHOLD: "5",
        ALERT_WEBHOOK_URL: `${webhook.url}/hook`,
      };
    },
  ));
});

afterAll(async () => {
  await stopWorkerFixture({ env, queues, worker });
  await webhook?.close();
});

describe("Newbook failing for one kitchen", () => {
  it("retries each run, backs the schedule off after 3 failed runs and opens one alert at 5", async () => {
    const row = await until("five consecutive failures", async () => {
      const current = await settingsOf(failing);
      return current.consecutiveFailures >= 5 && current;
    });
    expect(row.lastSyncStatus).toBe("failed");
    // The manager reads plain words; the run keeps the technical text for admins.
    expect(row.lastErrorMessage).toBe("Newbook is not answering at the moment");

    // Each failed run used both attempts.
    const runs = await env.testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.kitchenId, failing));
    const failed = runs.filter((r) => r.status === "failed");
    expect(failed[0]!.errorMessage).toMatch(/server problem \(HTTP 500\)/i);
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(failed.every((r) => r.attempt === 2)).toBe(true);

    // 5 failures: 5 minutes doubled three times (failures 3, 4, 5) = 40 minutes.
    const schedule = await until("the backed-off schedule", async () => {
      const current = await readKitchenSchedule(queues, failing);
      return current?.everyMs === 40 * MINUTE_MS && current;
    });
    const shown = await settingsOf(failing);
    expect(shown.nextSyncAt?.getTime()).toBe(schedule.next);
    expect(schedule.next! - shown.lastSyncAt!.getTime()).toBeGreaterThan(30 * MINUTE_MS);

    const open = await until("the failure alert", async () => {
      const rows = (await openAlerts(failing)).filter((a) => a.kind === "consecutive_failures");
      return rows.length > 0 && rows;
    });
    expect(open).toHaveLength(1);
    expect(open[0]!.severity).toBe("critical");
    // Written for the reader: what, who acts, what happens next (kitchen's clock), no internals.
    expect(open[0]!.message).toMatch(/^Newbook is not answering at the moment \(\d+ failed syncs in a row, /);
    expect(open[0]!.message).toMatch(
      /on Newbook's side; nothing for you to do\. Retrying automatically at \d\d:\d\d\.$/,
    );
    expect(open[0]!.message).not.toMatch(/HTTP|bookings_list|ms\b/);
    await until("the webhook post", async () => posts().some((p) => p.alert.kind === "consecutive_failures"));
    const opened = posts().filter((p) => p.alert.kind === "consecutive_failures" && p.event === "opened");
    expect(opened).toHaveLength(1);
    expect(opened[0]!.alert.kitchen_id).toBe(failing);
    expect(opened[0]!.text).toContain("CRITICAL");
    expect(worker.logs.some((l) => l.level === "crit" && l.kitchen_id === failing)).toBe(true);
  });

  it("resolves the alert and returns to the normal interval after a success", async () => {
    await env.control("DELETE", `/properties/${env.sim.properties[0]!.id}/faults`);
    await enqueueSyncNow(queues, failing, randomUUID()); // the manager's "sync now"
    await until("a success", async () => (await settingsOf(failing)).consecutiveFailures === 0);
    await until("the resolution post", async () =>
      posts().some((p) => p.alert.kind === "consecutive_failures" && p.event === "resolved"),
    );
    expect((await openAlerts(failing)).filter((a) => a.kind === "consecutive_failures")).toEqual([]);
    const schedule = await until("the normal schedule", async () => {
      const current = await readKitchenSchedule(queues, failing);
      return current?.everyMs === 5 * MINUTE_MS && current;
    });
    expect(schedule.next).not.toBeNull();
  });
});

describe("history is never rewritten", () => {
  it("a failed job retried from Bull Board becomes a new run linked to the failed one", async () => {
    const job = (await queues.frequent.getFailed()).find((j) => j.data.kitchenId === failing)!;
    const failedRunId = job.data.runId!;
    // Bull Board shows the job by its kitchen, and its failure in the settings page's words first.
    expect(job.name).toBe(`kitchen ${failing} · Kitchen 0`);
    expect(job.failedReason).toMatch(/^Newbook is not answering at the moment — .*HTTP 500/);
    expect(job.stacktrace?.at(-1)).toMatch(/^Error: Newbook is not answering at the moment — /);
    const [before] = await env.testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, failedRunId));
    expect(before).toMatchObject({ status: "failed" });
    await job.retry("failed"); // what Bull Board's "retry" does
    const [repeat] = await until("the repeated run", async () => {
      const rows = await env.testDb.handle.db
        .select()
        .from(syncRuns)
        .where(eq(syncRuns.retryOf, failedRunId));
      return rows.length > 0 && rows[0]!.status === "success" && rows;
    });
    expect(repeat!.id).not.toBe(failedRunId);
    const [after] = await env.testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, failedRunId));
    expect(after).toEqual(before);
  });
});

describe("credentials rejected", () => {
  it("fails at once without retrying and says why on the settings row", async () => {
    const row = await until("the failed run", async () => {
      const current = await settingsOf(rejected);
      return current.lastSyncStatus === "failed" && current;
    });
    expect(row.lastErrorMessage).toMatch(/rejected/i);
    // BullMQ moves a job to "failed" only once it will not be retried: after that no attempt can follow.
    const job = await until("the job to have failed for good", async () =>
      (await queues.frequent.getFailed()).find((j) => j.data.kitchenId === rejected),
    );
    // Everything below is about this one job (its run id and BullMQ job id), not whatever else ran
    // for the kitchen: one attempt, and Newbook heard nothing about this property after it failed.
    const ofJob = worker.logs.filter((l) => l.job_id === job.id);
    expect(ofJob.filter((l) => l.message === "sync started")).toHaveLength(1);
    const failedAt = ofJob.find((l) => l.outcome === "failed")!.timestamp;
    const requests = await env.control<{ requests: Array<{ property_id: string | null; at: string }> }>(
      "GET",
      "/requests",
    );
    const forRejected = requests.requests.filter((r) => r.property_id === env.sim.properties[1]!.id);
    expect(forRejected.length).toBeGreaterThan(0);
    expect(forRejected.every((r) => r.at <= String(failedAt))).toBe(true);
    const run = await env.runById(job.data.runId!);
    expect(run).toMatchObject({
      kitchenId: rejected,
      status: "failed",
      attempt: 1,
      errorCode: "newbook_auth",
    });
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason.startsWith(`${row.lastErrorMessage} — `)).toBe(true);
    expect(job.failedReason).toMatch(/ — .*(401|rejected)/i);
  });

  it("opens an action-needed alert at the first failure and pauses the schedule instead of backing off", async () => {
    const [alert] = await until("the action-needed alert", async () => {
      const rows = (await openAlerts(rejected)).filter((a) => a.kind === "credentials_rejected");
      return rows.length > 0 && rows;
    });
    expect(alert).toMatchObject({ severity: "critical" });
    expect(alert!.details).toMatchObject({ action: "settings", consecutive_failures: 1 });
    expect(alert!.message).toMatch(
      /^Newbook rejected the login — update the password or API key in Settings/,
    );
    expect(alert!.message).toMatch(/You need to act\. Automatic sync is paused until then\.$/);
    // Not an outage: no scheduler keeps knocking with a rejected login, and no next sync is shown.
    await until("the paused schedule", async () => (await readKitchenSchedule(queues, rejected)) === null);
    const row = await settingsOf(rejected);
    expect(row).toMatchObject({ nextSyncAt: null, consecutiveFailures: 1, lastErrorCode: "newbook_auth" });
    // The webhook message goes out after the alert row is written: waited for, not read at once.
    await until("the alert's webhook message", async () =>
      posts().some((p) => p.alert.kind === "credentials_rejected" && p.event === "opened"),
    );
  });

  it("heals with the first successful sync: alert resolved, schedule back", async () => {
    await env.control("DELETE", `/properties/${env.sim.properties[1]!.id}/faults`);
    await enqueueSyncNow(queues, rejected, randomUUID());
    await until("a success", async () => (await settingsOf(rejected)).lastSyncStatus === "success");
    await until("the alert resolved", async () =>
      (await openAlerts(rejected)).every((a) => a.kind !== "credentials_rejected"),
    );
    const schedule = await until("the schedule back", async () => readKitchenSchedule(queues, rejected));
    expect(schedule.everyMs).toBe(60 * MINUTE_MS);
    expect((await settingsOf(rejected)).nextSyncAt?.getTime()).toBe(schedule.next);
  });
});
