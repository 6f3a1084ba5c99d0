import type { QueueSet } from "@occ/core";
import { alerts, incidents } from "@occ/db";
import { type PostReceiver, startPostReceiver, until } from "@occ/testkit";
import { and, eq, isNotNull } from "drizzle-orm";
import {
  startWorkerFixture,
  stopWorkerFixture,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";

jest.setTimeout(180_000);

const KITCHENS = 20;

interface WebhookPost {
  text: string;
  event: "opened" | "resolved";
  incident?: { id: number; kitchens: Array<{ id: number; name: string }> };
}

let env: WorkerTestEnv;
let queues: QueueSet;
let worker: WorkerProcess;
let webhook: PostReceiver<WebhookPost>;
const posts = () => webhook.posts.map((p) => p.body);
let kitchenIds: number[];
let propertyId: string;

beforeAll(async () => {
  webhook = await startPostReceiver<WebhookPost>();
  ({ env, queues, worker } = await startWorkerFixture(
    { properties: 1, rooms: 5, throttlePerMinute: 1_000_000 },
    async (env) => {
      propertyId = String(env.sim.properties[0]!.id);
      await env.control("POST", `/properties/${propertyId}/faults`, { type: "http500" });
      // Twenty kitchens on one Newbook host and region, all failing with server errors.
      // A 60-minute interval of 250 ms minutes: a run every 15 s, stale after 30 s, so staleness (which an
      // open incident absorbs too, but which is rightly told on its own before there is one) cannot come
      // before the incident even on a loaded machine.
      kitchenIds = await env.seedKitchens(KITCHENS, () => ({ syncIntervalMinutes: 60 }));
      return {
        SYNC_MINUTE_MS: "250",
        JOB_ATTEMPTS: "1",
        WORKER_CONCURRENCY: "8",
        ALERT_FAILURE_THRESHOLD: "2",
        OUTAGE_MIN_KITCHENS: "5",
        OUTAGE_WINDOW_MINUTES: "10",
        ALERT_WEBHOOK_URL: `${webhook.url}/hook`,
      };
    },
  ));
});

afterAll(async () => {
  await stopWorkerFixture({ env, queues, worker });
  await webhook?.close();
});

describe("a Newbook outage across 20 kitchens", () => {
  it("sends one message listing the kitchens; every kitchen's alert links to the incident", async () => {
    const db = env.testDb.handle.db;
    const linked = await until(
      "every kitchen's failure alert, linked to the incident",
      async () => {
        const rows = await db
          .select()
          .from(alerts)
          .where(
            and(
              eq(alerts.kind, "consecutive_failures"),
              eq(alerts.state, "open"),
              isNotNull(alerts.incidentId),
            ),
          );
        return rows.length === KITCHENS && rows;
      },
      90_000,
    );
    const [incident, ...others] = await db.select().from(incidents);
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ kind: "newbook_outage", state: "open", errorCode: "newbook_server" });
    expect([...incident!.kitchenIds].sort((a, b) => a - b)).toEqual(kitchenIds);
    expect(new Set(linked.map((a) => a.incidentId))).toEqual(new Set([incident!.id]));

    // The message goes out after the incident is written: wait for it, not for a fixed time.
    await until("the outage message received", async () => posts().length >= 1, 30_000);
    expect(posts()).toHaveLength(1);
    expect(posts()[0]).toMatchObject({ event: "opened", incident: { id: incident!.id } });
    expect(posts()[0]!.text).toMatch(/Newbook outage/);
    expect(posts()[0]!.incident!.kitchens.length).toBeGreaterThanOrEqual(5);
    for (const kitchen of posts()[0]!.incident!.kitchens) expect(posts()[0]!.text).toContain(kitchen.name);
  });

  it("resolves with one message when the kitchens recover", async () => {
    await env.control("DELETE", `/properties/${propertyId}/faults`);
    const db = env.testDb.handle.db;
    await until(
      "the incident resolved",
      async () => {
        const [row] = await db.select().from(incidents);
        return row?.state === "resolved";
      },
      60_000,
    );
    await until("every kitchen alert resolved", async () => {
      const open = await db.select().from(alerts).where(eq(alerts.state, "open"));
      return open.length === 0;
    });
    // The resolution's message goes out after the rows are written (it failed CI read right after them).
    await until("the resolution message received", async () => posts().length >= 2, 30_000);
    expect(posts().map((p) => p.event)).toEqual(["opened", "resolved"]);
    expect(posts()[1]!.text).toMatch(/Resolved — Newbook outage/);
  });
});
