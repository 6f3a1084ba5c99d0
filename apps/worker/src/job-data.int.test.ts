import { type FrequentSyncJobData, startRun } from "@occ/core";
import { kitchens } from "@occ/db";
import { createTestDatabase, type TestDatabase } from "@occ/testkit";
import type { Job } from "bullmq";
import { frequentJobData } from "./job-data";

let db: TestDatabase;
let kitchenId: number;

beforeAll(async () => {
  db = await createTestDatabase("occ_job_data");
  const [kitchen] = await db.handle.db
    .insert(kitchens)
    .values({ name: "K", timezone: "Europe/London" })
    .returning();
  kitchenId = kitchen!.id;
});

afterAll(() => db.drop());

/** What processors see of a scheduled job: its id, creation time and data (updateData records what it stores). */
function scheduledJob(id: string, timestamp: number, data: FrequentSyncJobData) {
  const stored: unknown[] = [];
  const job = { id, timestamp, data, updateData: async (next: unknown) => void stored.push(next) };
  return { job: job as unknown as Job<FrequentSyncJobData>, stored };
}

describe("frequentJobData", () => {
  it("gives a scheduled job's first attempt a new run id and stores it in the job", async () => {
    const { job, stored } = scheduledJob(`repeat:v1:kitchen:${kitchenId}:1000`, Date.now(), {
      kitchenId,
      trigger: "schedule",
    });
    const data = await frequentJobData(db.handle.db, job);
    expect(data.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stored).toEqual([{ kitchenId, trigger: "schedule", runId: data.runId }]);
  });

  it("continues the run PostgreSQL recorded when the job comes back without the run id it stored", async () => {
    const jobId = `repeat:v1:kitchen:${kitchenId}:2000`;
    const created = Date.now() - 5_000;
    const first = await frequentJobData(
      db.handle.db,
      scheduledJob(jobId, created, { kitchenId, trigger: "schedule" }).job,
    );
    await startRun(db.handle.db, {
      runId: first.runId,
      kitchenId,
      kind: "frequent",
      trigger: "schedule",
      windowFrom: "2026-11-30",
      windowTo: "2026-12-07",
      jobId,
    });
    // The same job again, its data as before the run id was stored (that write lost with a failed-over master).
    const again = await frequentJobData(
      db.handle.db,
      scheduledJob(jobId, created, { kitchenId, trigger: "schedule" }).job,
    );
    expect(again.runId).toBe(first.runId);
  });
});
