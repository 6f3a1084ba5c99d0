import { randomUUID } from "node:crypto";
import { kitchens, newbookFrequentSyncSettings, syncRuns } from "@occ/db";
import { createTestDatabase, seedKitchenWithConnection, type TestDatabase } from "@occ/testkit";
import { eq } from "drizzle-orm";
import { generateEncryptionKey } from "../crypto";
import { NewbookServerError } from "../newbook/errors";
import { claimRun, recordRunFailure, recordRunSkipped, startRun } from "./status";

let testDb: TestDatabase;
let kitchenId: number;

const settingsRow = async () =>
  (
    await testDb.handle.db
      .select()
      .from(newbookFrequentSyncSettings)
      .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId))
  )[0]!;
const runRow = async (id: string) =>
  (await testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.id, id)))[0]!;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ({ kitchenId } = await seedKitchenWithConnection(testDb.handle.db, {
    timezone: "Europe/London",
    property: { username: "u", password: "p", apiKey: "k", region: "eu" },
    baseUrl: "http://127.0.0.1:9/rest",
    encryptionKey: generateEncryptionKey(),
  }));
});

afterAll(async () => {
  await testDb?.drop();
});

const window = { windowFrom: "2025-03-10", windowTo: "2025-03-17" };

describe("run status", () => {
  it("a retried failure re-queues the run without counting; a final one counts atomically", async () => {
    const runId = randomUUID();
    await startRun(testDb.handle.db, { runId, kitchenId, kind: "frequent", trigger: "schedule", ...window });
    expect(await runRow(runId)).toMatchObject({ status: "running", attempt: 1 });
    expect((await settingsRow()).lastSyncStatus).toBe("running");

    const error = new NewbookServerError("bookings_list", 502);
    const retry = await recordRunFailure(testDb.handle.db, {
      runId,
      kitchenId,
      kind: "frequent",
      error,
      final: false,
      durationMs: 40,
      attempt: 1,
    });
    expect(retry.consecutiveFailures).toBe(0);
    expect(await runRow(runId)).toMatchObject({ status: "queued", errorCode: "newbook_server" });
    expect(await runRow(runId)).toMatchObject({ errorMessage: error.message });
    // The settings row (what the manager reads) holds the plain version.
    expect(await settingsRow()).toMatchObject({
      consecutiveFailures: 0,
      lastErrorMessage: "Newbook is not answering at the moment",
    });

    await startRun(testDb.handle.db, {
      runId,
      kitchenId,
      kind: "frequent",
      trigger: "schedule",
      ...window,
      attempt: 2,
    });
    expect(await runRow(runId)).toMatchObject({ status: "running", attempt: 2, errorMessage: null });
    // The duration of an earlier success, which the failed run's must replace.
    await testDb.handle.db
      .update(newbookFrequentSyncSettings)
      .set({ lastDurationMs: 9_999 })
      .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
    const [a, b] = await Promise.all(
      [runId, randomUUID()].map((id) =>
        recordRunFailure(testDb.handle.db, {
          runId: id,
          kitchenId,
          kind: "frequent",
          error,
          final: true,
          durationMs: 50,
        }),
      ),
    );
    expect([a?.consecutiveFailures, b?.consecutiveFailures].sort()).toEqual([1, 2]);
    expect(await runRow(runId)).toMatchObject({ status: "failed", durationMs: 50 });
    expect(await settingsRow()).toMatchObject({
      lastSyncStatus: "failed",
      consecutiveFailures: 2,
      lastDurationMs: 50,
    });
  });

  it("a skipped run never replaces the kitchen's last real status", async () => {
    const running = randomUUID();
    await startRun(testDb.handle.db, {
      runId: running,
      kitchenId,
      kind: "frequent",
      trigger: "schedule",
      ...window,
    });
    const skipped = randomUUID();
    await recordRunSkipped(testDb.handle.db, {
      runId: skipped,
      kitchenId,
      kind: "frequent",
      trigger: "sync_now",
      reason: "Another sync of this kitchen is running",
    });
    expect(await runRow(skipped)).toMatchObject({
      status: "skipped",
      errorMessage: "Another sync of this kitchen is running",
    });
    expect((await settingsRow()).lastSyncStatus).toBe("running");

    await testDb.handle.db
      .update(newbookFrequentSyncSettings)
      .set({ lastSyncStatus: "success" })
      .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId));
    // A skipped scheduled tick keeps its job id: which tick it was.
    const tick = randomUUID();
    await recordRunSkipped(testDb.handle.db, {
      runId: tick,
      kitchenId,
      kind: "frequent",
      trigger: "schedule",
      reason: "busy",
      jobId: `repeat:v1:kitchen:${kitchenId}:1700000000000`,
    });
    expect((await settingsRow()).lastSyncStatus).toBe("success");
    expect((await runRow(tick))?.jobId).toBe(`repeat:v1:kitchen:${kitchenId}:1700000000000`);
  });

  it("a skipped run's window is the kitchen's local date, not the UTC one", async () => {
    await testDb.handle.db
      .update(kitchens)
      .set({ timezone: "Pacific/Auckland" })
      .where(eq(kitchens.id, kitchenId));
    try {
      const runId = randomUUID();
      // 12:00 UTC on 10 March is 01:00 on 11 March in Auckland (UTC+13).
      await recordRunSkipped(testDb.handle.db, {
        runId,
        kitchenId,
        kind: "frequent",
        trigger: "schedule",
        reason: "busy",
        now: new Date("2025-03-10T12:00:00Z"),
      });
      expect(await runRow(runId)).toMatchObject({ windowFrom: "2025-03-11", windowTo: "2025-03-11" });
    } finally {
      await testDb.handle.db
        .update(kitchens)
        .set({ timezone: "Europe/London" })
        .where(eq(kitchens.id, kitchenId));
    }
  });

  it("claimRun: a finished run or one whose worker was lost is repeated as a new linked run", async () => {
    const db = testDb.handle.db;
    const fresh = () => "00000000-0000-4000-8000-000000000001";
    const pending = randomUUID();
    await startRun(db, { runId: pending, kitchenId, kind: "frequent", trigger: "schedule", ...window });
    // A normal retry of a running run's job (same worker, no takeover) continues the same run.
    expect(await claimRun(db, { runId: pending, takenOver: false, newRunId: fresh })).toEqual({
      runId: pending,
      retryOf: null,
    });
    // Taken over after a crash: the lost attempt stays in history as failed.
    expect(await claimRun(db, { runId: pending, takenOver: true, newRunId: fresh })).toEqual({
      runId: fresh(),
      retryOf: pending,
    });
    expect(await runRow(pending)).toMatchObject({ status: "failed", errorCode: "worker_lost" });
    // Retried after it finished (Bull Board): a new run too.
    expect(await claimRun(db, { runId: pending, takenOver: false, newRunId: fresh })).toEqual({
      runId: fresh(),
      retryOf: pending,
    });
    const unknown = randomUUID();
    expect(await claimRun(db, { runId: unknown, takenOver: true, newRunId: fresh })).toEqual({
      runId: unknown,
      retryOf: null,
    });
  });

  it("a historical run leaves the frequent-sync status alone", async () => {
    const before = await settingsRow();
    const runId = randomUUID();
    await startRun(testDb.handle.db, { runId, kitchenId, kind: "historical", trigger: "manual", ...window });
    await recordRunFailure(testDb.handle.db, {
      runId,
      kitchenId,
      kind: "historical",
      error: new Error("boom"),
      final: true,
      durationMs: 1,
    });
    expect(await runRow(runId)).toMatchObject({ status: "failed", errorCode: "internal" });
    expect(await settingsRow()).toMatchObject({
      lastSyncStatus: before.lastSyncStatus,
      consecutiveFailures: before.consecutiveFailures,
    });
  });
});
