import { createQueues, loadConfig, type QueueSet, ScheduleOwner, scheduleOptionsFromConfig } from "@occ/core";
import { newbookFrequentSyncSettings as settings, syncRuns } from "@occ/db";
import { until } from "@occ/testkit";
import { eq, inArray } from "drizzle-orm";
import {
  createWorkerTestEnv,
  ensureWorkerBuilt,
  spawnWorker,
  type WorkerProcess,
  type WorkerTestEnv,
} from "../test/harness";

jest.setTimeout(150_000);

const MINUTE_MS = 300;
const INTERVALS = [5, 10, 15] as const;
const KITCHENS = 30;

let env: WorkerTestEnv;
let workers: WorkerProcess[];
let queues: QueueSet;
let kitchenIds: number[];
let dormantKitchen: number;

const intervalOf = (i: number) => INTERVALS[i % INTERVALS.length]!;

type Run = typeof syncRuns.$inferSelect;

async function runsOf(kitchenId: number): Promise<Run[]> {
  const rows = await env.testDb.handle.db.select().from(syncRuns).where(eq(syncRuns.kitchenId, kitchenId));
  return rows.sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
}

/** The due time BullMQ gave a scheduled job: its id is repeat:<scheduler id>:<millis> (NaN otherwise). */
const dueOf = (run: Pick<Run, "jobId">) => Number(run.jobId?.split(":").pop());

/** Per kitchen, the latest due time among its started scheduled runs (a run's row is written as it starts). */
async function latestStartedDue(): Promise<Map<number, number>> {
  const rows = await env.testDb.handle.db
    .select({ kitchenId: syncRuns.kitchenId, jobId: syncRuns.jobId })
    .from(syncRuns);
  const latest = new Map<number, number>();
  for (const row of rows) {
    const due = dueOf(row);
    if (due > (latest.get(row.kitchenId) ?? -1)) latest.set(row.kitchenId, due);
  }
  return latest;
}

beforeAll(async () => {
  await ensureWorkerBuilt();
  env = await createWorkerTestEnv({ properties: 10, rooms: 10, throttlePerMinute: 1_000_000 });
  kitchenIds = await env.seedKitchens(KITCHENS, (i) => ({ syncIntervalMinutes: intervalOf(i) }));
  dormantKitchen = (await env.seedKitchens(1, () => ({ syncIntervalMinutes: 5, isEnabled: false })))[0]!;
  const workerEnv = env.workerEnv({
    SYNC_MINUTE_MS: String(MINUTE_MS),
    WORKER_CONCURRENCY: "16",
  });
  queues = createQueues({ redis: workerEnv.REDIS_URL!, prefix: env.prefix });
  workers = [0, 1, 2].map(() => spawnWorker(workerEnv));
  await Promise.all(workers.map((w) => w.metricsPort()));
});

afterAll(async () => {
  for (const w of workers) w.kill("SIGKILL");
  await queues.close();
  await env.close();
});

describe("three worker replicas, 30 kitchens on 5/10/15-minute intervals", () => {
  // The window is a span of due times: the schedule BullMQ keeps. When a run starts depends on how busy the
  // machine is (a full test suite beside these workers delays some starts by seconds), so how late runs
  // start is checked on its own, against a bound.
  const WINDOW_MS = 10 * INTERVALS[0] * MINUTE_MS;
  const MAX_START_LAG_MS = 10_000;
  let windowStart: number;
  let windowEnd: number;

  beforeAll(async () => {
    await until("every kitchen's first run", async () => {
      const latest = await latestStartedDue();
      return kitchenIds.every((id) => latest.has(id));
    });
    windowStart = Date.now();
    windowEnd = windowStart + WINDOW_MS;
    // A scheduler's next job is added as its current one starts, so a started run due at or after the
    // window's end means every run due in the window has started.
    await until(
      "every kitchen to start a run due after the window",
      async () => {
        const latest = await latestStartedDue();
        return kitchenIds.every((id) => (latest.get(id) ?? 0) >= windowEnd);
      },
      4 * WINDOW_MS,
    );
    // The replicas keep syncing: the window's own runs are judged once they have finished; the runs due
    // after it are not judged at all.
    await until("the window's runs to finish", async () => {
      const unfinished = await env.testDb.handle.db
        .select({ jobId: syncRuns.jobId })
        .from(syncRuns)
        .where(inArray(syncRuns.status, ["queued", "running"]));
      return unfinished.every((run) => !(dueOf(run) < windowEnd));
    });
  });

  it("syncs every kitchen once per interval, each run started within the lag bound", async () => {
    // Every kitchen is checked before failing, and a miss names its runs (times from the window's start,
    // attempt, status) and its workers' warnings, so that a miss can be diagnosed from CI output.
    const misses: unknown[] = [];
    let maxLagMs = 0;
    for (const [i, kitchenId] of kitchenIds.entries()) {
      const runs = await runsOf(kitchenId);
      const inWindow = runs.filter((r) => dueOf(r) >= windowStart && dueOf(r) < windowEnd);
      const expected = WINDOW_MS / (intervalOf(i) * MINUTE_MS);
      const lagMs = Math.max(...inWindow.map((r) => r.startedAt!.getTime() - dueOf(r)));
      maxLagMs = Math.max(maxLagMs, lagMs);
      const failed = inWindow.filter((r) => r.status !== "success" && r.status !== "skipped");
      // Due times lie on the scheduler's grid: a window of W holds floor or ceil of W / interval of them.
      const counted = Math.abs(inWindow.length - expected) < 1;
      if (!counted || failed.length > 0 || lagMs > MAX_START_LAG_MS) {
        const at = (d: Date | number | null) => (d === null ? null : new Date(d).getTime() - windowStart);
        misses.push({
          kitchenId,
          intervalMs: intervalOf(i) * MINUTE_MS,
          expected: Number(expected.toFixed(2)),
          inWindow: inWindow.length,
          runs: runs.map((r) => ({
            due: at(dueOf(r)),
            started: at(r.startedAt),
            finished: at(r.finishedAt),
            attempt: r.attempt,
            status: r.status,
            error: r.errorMessage,
          })),
          warnings: workers.flatMap((w, replica) =>
            w.logs
              .filter((l) => l.kitchen_id === kitchenId && l.level !== "info")
              .map((l) => ({ replica, ...l })),
          ),
        });
      }
    }
    console.info(
      `scheduling: the latest start of a run due in the window came ${maxLagMs} ms after its due time`,
    );
    expect(misses).toEqual([]);
  });

  it("never lets two syncs of one kitchen overlap", async () => {
    for (const kitchenId of kitchenIds) {
      const runs = (await runsOf(kitchenId)).filter((r) => r.status !== "skipped");
      for (let i = 1; i < runs.length; i++) {
        expect(runs[i]!.startedAt!.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!.getTime());
      }
    }
  });

  it("loses and duplicates no scheduled run", async () => {
    // Every job ends in exactly one outcome: synced, or skipped because the kitchen was busy.
    const outcomes = workers.flatMap((w) =>
      w.logs.filter(
        (l) => l.message === "sync skipped" || (l.message === "sync finished" && l.outcome === "success"),
      ),
    );
    for (const [i, kitchenId] of kitchenIds.entries()) {
      const jobIds = outcomes.filter((l) => l.kitchen_id === kitchenId).map((l) => String(l.job_id));
      expect(new Set(jobIds).size).toBe(jobIds.length);
      const dues = jobIds.map((id) => Number(id.split(":").pop())).sort((a, b) => a - b);
      // Consecutive due times are exactly one interval apart: no iteration went missing.
      const steps = new Set(dues.slice(1).map((due, k) => due - dues[k]!));
      expect([...steps]).toEqual([intervalOf(i) * MINUTE_MS]);
    }
    const skipped = outcomes.filter((l) => l.message === "sync skipped").length;
    expect(skipped / outcomes.length).toBeLessThan(0.1);
  });

  it("reads most runs from the change feed, and says so in logs, history and metrics", async () => {
    const feedReads = () =>
      workers.flatMap((w) =>
        w.logs.filter((l) => l.message === "sync finished" && l.kind === "frequent" && l.read === "changes"),
      ).length;
    const finished = workers.flatMap((w) =>
      w.logs.filter((l) => l.message === "sync finished" && l.outcome === "success" && l.kind === "frequent"),
    );
    const reads = finished.map((l) => l.read);
    expect(reads.filter((read) => read !== "changes" && read !== "whole")).toEqual([]);
    // A whole read every SYNC_FULL_READ_MINUTES (30) per kitchen; every run between reads the feed.
    expect(reads.filter((read) => read === "changes").length).toBeGreaterThan(
      reads.filter((read) => read === "whole").length,
    );
    const recorded = await env.testDb.handle.db
      .select({ read: syncRuns.read })
      .from(syncRuns)
      .where(eq(syncRuns.status, "success"));
    expect(new Set(recorded.map((r) => r.read))).toEqual(new Set(["changes", "whole"]));
    // The replicas keep syncing: the counters are read between two counts of the log lines.
    const before = feedReads();
    let counted = 0;
    for (const w of workers) {
      const text = await (await fetch(`http://127.0.0.1:${await w.metricsPort()}/metrics`)).text();
      counted += Number(/^sync_reads_total\{read="changes"[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
    }
    expect(counted).toBeGreaterThanOrEqual(before);
    await until("the log lines of the runs counted", async () => feedReads() >= counted);
  });

  it("spreads the work over all replicas", () => {
    for (const w of workers) expect(w.logs.some((l) => l.message === "sync finished")).toBe(true);
  });
});

describe("settings changes", () => {
  it("applies a new interval from the next run, stops a disabled kitchen and starts an enabled one", async () => {
    const db = env.testDb.handle.db;
    const faster = kitchenIds[2]!; // 15 -> 5 minutes, saved the way the API does: PostgreSQL, then Redis
    const stopped = kitchenIds[0]!; // disabled in PostgreSQL only: the reconciler removes its scheduler
    const changedAt = Date.now();
    await db.update(settings).set({ syncIntervalMinutes: 5 }).where(eq(settings.kitchenId, faster));
    const options = scheduleOptionsFromConfig(
      loadConfig(env.workerEnv({ SYNC_MINUTE_MS: String(MINUTE_MS) })),
    );
    await new ScheduleOwner({ db, queues, options }).apply(faster);
    await db.update(settings).set({ isEnabled: false }).where(eq(settings.kitchenId, stopped));
    await db.update(settings).set({ isEnabled: true }).where(eq(settings.kitchenId, dormantKitchen));

    // Until what the changes should bring has happened: three runs at the new interval, three of the woken
    // kitchen, and the stopped kitchen's scheduler removed by the reconciler.
    await until(
      "the changed schedules to take effect",
      async () => {
        const fasterRuns = (await runsOf(faster)).filter(
          (r) => r.status === "success" && dueOf(r) > changedAt,
        );
        const wokeRuns = (await runsOf(dormantKitchen)).filter((r) => r.status === "success");
        const stoppedScheduler = await queues.frequent.getJobScheduler(`v1:kitchen:${stopped}`);
        return fasterRuns.length >= 3 && wokeRuns.length >= 3 && !stoppedScheduler;
      },
      60_000,
    );
    const settled = changedAt + 2 * MINUTE_MS + 300; // one reconcile period plus an in-flight run

    const fasterDues = (await runsOf(faster))
      .filter((r) => r.status === "success")
      .map(dueOf)
      .filter((due) => due > changedAt);
    expect(fasterDues.length).toBeGreaterThanOrEqual(3);
    expect(new Set(fasterDues.slice(1).map((due, k) => due - fasterDues[k]!))).toEqual(
      new Set([5 * MINUTE_MS]),
    );
    // The first run under the new interval came no later than one old (15-minute) period.
    expect(fasterDues[0]! - changedAt).toBeLessThanOrEqual(15 * MINUTE_MS);

    expect((await runsOf(stopped)).filter((r) => r.startedAt!.getTime() > settled)).toEqual([]);
    expect((await runsOf(stopped)).length).toBeGreaterThan(0);
    expect(await queues.frequent.getJobScheduler(`v1:kitchen:${stopped}`)).toBeUndefined();

    const woke = (await runsOf(dormantKitchen)).filter((r) => r.status === "success");
    expect(woke.length).toBeGreaterThanOrEqual(3);

    const [shown] = await db.select().from(settings).where(eq(settings.kitchenId, faster));
    expect(shown!.nextSyncAt!.getTime()).toBeGreaterThan(changedAt);
  });

  it("stops every replica cleanly on SIGTERM", async () => {
    for (const w of workers) w.kill("SIGTERM");
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);
  });
});
