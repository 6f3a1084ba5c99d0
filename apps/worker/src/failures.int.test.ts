import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createQueues, enqueueSyncNow, type QueueSet, readKitchenSchedule } from "@occ/core";
import { alerts, newbookFrequentSyncSettings as settings, syncRuns } from "@occ/db";
import { until } from "@occ/testkit";
import { and, eq } from "drizzle-orm";
import {
  createWorkerTestEnv,
  ensureWorkerBuilt,
  spawnWorker,
  type WorkerProcess,
  type WorkerTestEnv,
} from "./testing";

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
let webhook: Server;
const posts: WebhookPost[] = [];
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
  await ensureWorkerBuilt();
  webhook = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      posts.push(JSON.parse(body) as WebhookPost);
      res.writeHead(200).end("ok");
    });
  });
  webhook.listen(0, "127.0.0.1");
  await once(webhook, "listening");

  env = await createWorkerTestEnv({ properties: 2, rooms: 10, throttlePerMinute: 1_000_000 });
  const [p0, p1] = env.sim.properties;
  await env.control("POST", `/properties/${p0!.id}/faults`, { type: "http500" });
  await env.control("POST", `/properties/${p1!.id}/faults`, { type: "http401" });
  // Kitchen i uses property i % 2: the first fails with 500s, the second has its credentials rejected.
  [failing, rejected] = (await env.seedKitchens(2, (i) => ({ syncIntervalMinutes: i === 0 ? 5 : 60 }))) as [
    number,
    number,
  ];
  const workerEnv = env.workerEnv({
    SYNC_MINUTE_MS: String(MINUTE_MS),
    JOB_ATTEMPTS: "2",
    JOB_BACKOFF_MS: "50",
    BACKOFF_AFTER_FAILURES: "3",
    ALERT_FAILURE_THRESHOLD: "5",
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`,
  });
  queues = createQueues({ redisUrl: workerEnv.REDIS_URL!, prefix: env.prefix });
  worker = spawnWorker(workerEnv);
  await worker.metricsPort();
});

afterAll(async () => {
  worker.kill("SIGKILL");
  webhook.close();
  await queues.close();
  await env.close();
});

describe("Newbook failing for one kitchen", () => {
  it("retries each run, backs the schedule off after 3 failed runs and opens one alert at 5", async () => {
    const row = await until("five consecutive failures", async () => {
      const current = await settingsOf(failing);
      return current.consecutiveFailures >= 5 && current;
    });
    expect(row.lastSyncStatus).toBe("failed");
    expect(row.lastErrorMessage).toMatch(/server problem/i);

    // Each failed run used both attempts.
    const runs = await env.testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.kitchenId, failing));
    const failed = runs.filter((r) => r.status === "failed");
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
    await until("the webhook post", async () => posts.some((p) => p.alert.kind === "consecutive_failures"));
    const opened = posts.filter((p) => p.alert.kind === "consecutive_failures" && p.event === "opened");
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
      posts.some((p) => p.alert.kind === "consecutive_failures" && p.event === "resolved"),
    );
    expect((await openAlerts(failing)).filter((a) => a.kind === "consecutive_failures")).toEqual([]);
    const schedule = await until("the normal schedule", async () => {
      const current = await readKitchenSchedule(queues, failing);
      return current?.everyMs === 5 * MINUTE_MS && current;
    });
    expect(schedule.next).not.toBeNull();
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
    // One attempt, and Newbook heard nothing from us after it failed.
    const attempts = worker.logs.filter((l) => l.kitchen_id === rejected && l.message === "sync started");
    expect(attempts).toHaveLength(1);
    const failedAt = worker.logs.find((l) => l.kitchen_id === rejected && l.outcome === "failed")!.timestamp;
    const requests = await env.control<{ requests: Array<{ property_id: string | null; at: string }> }>(
      "GET",
      "/requests",
    );
    const forRejected = requests.requests.filter((r) => r.property_id === env.sim.properties[1]!.id);
    expect(forRejected.length).toBeGreaterThan(0);
    expect(forRejected.every((r) => r.at <= String(failedAt))).toBe(true);
    const [run] = await env.testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.kitchenId, rejected));
    expect(run).toMatchObject({ status: "failed", attempt: 1, errorCode: "newbook_auth" });
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/rejected/i);
  });
});
