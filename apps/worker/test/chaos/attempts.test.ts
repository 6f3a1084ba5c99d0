import { attemptsFromLogs, overlappingAttempts, type SyncAttempt } from "./attempts";

const at = (ms: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, 0, ms)).toISOString();
const started = (runId: string, ms: number, kitchenId = 1, attempt = 1) => ({
  message: "sync started",
  run_id: runId,
  attempt,
  kitchen_id: kitchenId,
  timestamp: at(ms),
});
const finished = (runId: string, ms: number, attempt = 1) => ({
  message: "sync finished",
  run_id: runId,
  attempt,
  timestamp: at(ms),
});
const base = Date.parse(at(0));

function attempt(worker: number, kitchenId: number, from: number, to: number | null): SyncAttempt {
  return {
    worker,
    kitchenId,
    runId: `r${worker}-${from}`,
    attempt: 1,
    startedAt: from,
    endedAt: to,
    end: to === null ? "running" : "finished",
  };
}

describe("attemptsFromLogs", () => {
  it("pairs starts with finishes per run and attempt, ignoring other lines", () => {
    const logs = [
      started("a", 0),
      { message: "worker started", timestamp: at(1) },
      started("b", 5, 2),
      finished("a", 10),
      started("a", 20, 1, 2),
      finished("b", 30),
      finished("a", 40, 2),
    ];
    expect(attemptsFromLogs(3, logs, null)).toEqual([
      {
        worker: 3,
        kitchenId: 1,
        runId: "a",
        attempt: 1,
        startedAt: base,
        endedAt: base + 10,
        end: "finished",
      },
      {
        worker: 3,
        kitchenId: 2,
        runId: "b",
        attempt: 1,
        startedAt: base + 5,
        endedAt: base + 30,
        end: "finished",
      },
      {
        worker: 3,
        kitchenId: 1,
        runId: "a",
        attempt: 2,
        startedAt: base + 20,
        endedAt: base + 40,
        end: "finished",
      },
    ]);
  });

  it("ends an unfinished attempt when its process died, and leaves it running while the process lives", () => {
    const logs = [started("a", 0), started("b", 1, 2), finished("b", 2)];
    expect(attemptsFromLogs(0, logs, base + 50)[0]).toMatchObject({ endedAt: base + 50, end: "died" });
    expect(attemptsFromLogs(0, logs, null)[0]).toMatchObject({ endedAt: null, end: "running" });
  });
});

describe("overlappingAttempts", () => {
  it("finds attempts of one kitchen that ran at the same time, across workers", () => {
    const a = attempt(0, 1, 0, 100);
    const b = attempt(1, 1, 50, 150);
    expect(overlappingAttempts([a, b, attempt(2, 2, 60, 70)], 1_000)).toEqual([[a, b]]);
  });

  it("accepts back-to-back attempts and different kitchens at once", () => {
    const attempts = [attempt(0, 1, 0, 100), attempt(1, 1, 100, 200), attempt(1, 2, 0, 200)];
    expect(overlappingAttempts(attempts, 1_000)).toEqual([]);
  });

  it("compares with the longest earlier attempt, not only the previous one", () => {
    const long = attempt(0, 1, 0, 500);
    const short = attempt(1, 1, 10, 20);
    const late = attempt(2, 1, 300, 400);
    expect(overlappingAttempts([late, short, long], 1_000)).toEqual([
      [long, short],
      [long, late],
    ]);
  });

  it("treats an attempt still running as running until now", () => {
    const running = attempt(0, 1, 0, null);
    const next = attempt(1, 1, 900, 950);
    expect(overlappingAttempts([running, next], 1_000)).toEqual([[running, next]]);
    expect(overlappingAttempts([running, next], 800)).toEqual([]);
  });
});
