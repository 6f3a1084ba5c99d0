import { randomUUID } from "node:crypto";
import { addDays, enqueueSyncNow, localDateIn, type QueueSet } from "@occ/core";
import { kitchens, newbookFrequentSyncSettings } from "@occ/db";
import { type PostReceiver, startPostReceiver, until } from "@occ/testkit";
import { eq } from "drizzle-orm";
import {
  startWorkerFixture,
  stopWorkerFixture,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";

jest.setTimeout(180_000);

/** The token part of a Slack-style URL: it must never show up in a log line. */
const TOKEN = "T0000/B0000/not-for-logs-4f9a";

let env: WorkerTestEnv;
let queues: QueueSet;
let worker: WorkerProcess;
let receiver: PostReceiver<{ text?: unknown }>;
/** Every request the receiver got, accepted or not, in order. */
const received = () => receiver.posts;
/** Status codes to answer the next requests with (then 200). */
const answers: number[] = [];
let kitchenId: number;
let kitchenName: string;
let today: string;
/** Guest names of the bookings the tests add: the message and the logs must carry none. */
const guestNames = new Set<string>();

beforeAll(async () => {
  receiver = await startPostReceiver(() => answers.shift() ?? 200);
  // A seed whose hotel has rooms free for the stays the tests add.
  ({ env, queues, worker } = await startWorkerFixture(
    { seed: 3, properties: 1, rooms: 80, throttlePerMinute: 1_000_000 },
    async (env) => {
      // Not scheduled: only the syncs the tests ask for run, so each change set is exactly what they made.
      [kitchenId] = (await env.seedKitchens(1, () => ({ syncIntervalMinutes: 60, isEnabled: false }))) as [
        number,
      ];
      const [kitchen] = await env.testDb.handle.db.select().from(kitchens).where(eq(kitchens.id, kitchenId));
      kitchenName = kitchen!.name;
      today = localDateIn(kitchen!.timezone, new Date());
      return { CHANGE_WEBHOOK_URL: `${receiver.url}/services/${TOKEN}` };
    },
  ));
  // The first sync is the baseline: no change set, so no message.
  await syncNow();
});

afterAll(async () => {
  await stopWorkerFixture({ env, queues, worker });
  await receiver?.close();
});

/** Sync now through the queue; resolves with the run id once the run succeeded. */
async function syncNow(): Promise<string> {
  const runId = randomUUID();
  await enqueueSyncNow(queues, kitchenId, runId);
  await until("the run to succeed", async () => (await env.runById(runId))?.status === "success", 30_000, 50);
  return runId;
}

/** Adds `count` one-night bookings arriving on `arrival`, each in a free room. */
async function addBookings(count: number, arrival: string): Promise<void> {
  const property = env.sim.properties[0]!;
  for (let i = 0; i < count; i++) {
    const booking = await env.control<{ guests?: Array<{ firstname: string; lastname: string }> }>(
      "POST",
      `/properties/${property.id}/bookings`,
      { arrival, departure: addDays(arrival, 1), adults: 2, meals: "dbb" },
    );
    for (const guest of booking.guests ?? []) {
      guestNames.add(guest.firstname);
      guestNames.add(guest.lastname);
    }
  }
}

const workerLog = (message: string, runId: string) =>
  worker.waitForLog((line) => line.message === message && line.run_id === runId, 30_000);

describe("CHANGE_WEBHOOK_URL", () => {
  it("gets one message in kitchen terms for a big change tonight, after the commit", async () => {
    await addBookings(3, today);
    const runId = await syncNow();
    const sent = await workerLog("change webhook sent", runId);
    expect(sent).toMatchObject({ kitchen_id: kitchenId, bookings: 3 });
    expect(received()).toHaveLength(1);
    const text = String(received()[0]!.body.text);
    expect(text).toMatch(new RegExp(`^${kitchenName}: \\+3 arrivals tonight, rooms [\\d, ]+ and \\d+`));
    expect(text).toContain("+6 dinner covers tonight");
    expect(received()[0]!.path).toBe(`/services/${TOKEN}`);
    for (const name of guestNames) expect(text).not.toContain(name);
  });

  it("sends nothing for a change below the kitchen's threshold (default 3 bookings)", async () => {
    await addBookings(2, addDays(today, 1));
    const runId = await syncNow();
    expect(await workerLog("change webhook not sent", runId)).toMatchObject({ reason: "below_threshold" });
    expect(received()).toHaveLength(1);
  });

  it("sends nothing for changes beyond tomorrow, however big", async () => {
    await addBookings(5, addDays(today, 2));
    const runId = await syncNow();
    expect(await workerLog("change webhook not sent", runId)).toMatchObject({ reason: "below_threshold" });
    expect(received()).toHaveLength(1);
  });

  it("tries a refused message again until the receiver takes it, without ever logging the URL", async () => {
    answers.push(503);
    await addBookings(4, addDays(today, 1));
    const runId = await syncNow();
    const failed = await workerLog("change webhook failed", runId);
    expect(failed).toMatchObject({ error: "HTTP 503" });
    await workerLog("change webhook sent", runId);
    expect(
      received()
        .slice(1)
        .map((r) => r.status),
    ).toEqual([503, 200]);
    expect(String(received()[2]!.body.text)).toContain("+4 arrivals tomorrow");
    const logs = JSON.stringify(worker.logs);
    expect(logs).not.toContain(TOKEN);
    for (const name of guestNames) expect(logs).not.toContain(`"${name}`);
  });

  it("follows the kitchen's own threshold: 1 sends a single booking, null sends nothing", async () => {
    const setThreshold = (value: number | null) =>
      env.testDb.handle.db
        .update(newbookFrequentSyncSettings)
        .set({ changeWebhookMinBookings: value })
        .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
    const before = received().length;
    await setThreshold(1);
    await addBookings(1, today);
    await workerLog("change webhook sent", await syncNow());
    expect(received()).toHaveLength(before + 1);
    expect(String(received().at(-1)!.body.text)).toMatch(
      new RegExp(`^${kitchenName}: \\+1 arrival tonight, room \\d+`),
    );
    await setThreshold(null);
    await addBookings(1, today);
    expect(await workerLog("change webhook not sent", await syncNow())).toMatchObject({
      reason: "below_threshold",
    });
    expect(received()).toHaveLength(before + 1);
  });
});
