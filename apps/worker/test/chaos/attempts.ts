/**
 * Sync attempts as the worker processes logged them: "sync started" (after the kitchen lock was taken)
 * to its end (ATTEMPT_ENDS; a deferred run gives its slot and the lock back to be re-delayed and starts
 * again under the same attempt). An attempt whose process died first ends when it died.
 */
export interface SyncAttempt {
  worker: number;
  kitchenId: number;
  runId: string;
  attempt: number;
  startedAt: number;
  /** Null while it runs in a live process. */
  endedAt: number | null;
  /** "died" when its process was killed or exited before the attempt finished. */
  end: "finished" | "died" | "running";
}

type LogLine = Record<string, unknown>;

/** Every way run-job ends an attempt and releases the kitchen lock. */
const ATTEMPT_ENDS = new Set([
  "sync finished",
  // Busy kitchen or lost lock: the attempt stops without writing.
  "sync skipped",
  "sync deferred: the Newbook connection's request budget is used up",
]);

function attemptKey(line: LogLine): string | null {
  if (typeof line.run_id !== "string" || typeof line.attempt !== "number") return null;
  return `${line.run_id}#${line.attempt}`;
}

/** `processEndedAt`: when the process was killed or exited, null while it lives. */
export function attemptsFromLogs(
  worker: number,
  logs: readonly LogLine[],
  processEndedAt: number | null,
): SyncAttempt[] {
  const open = new Map<string, SyncAttempt[]>();
  const attempts: SyncAttempt[] = [];
  for (const line of logs) {
    const key = attemptKey(line);
    if (key === null || typeof line.timestamp !== "string") continue;
    const at = Date.parse(line.timestamp);
    if (line.message === "sync started" && typeof line.kitchen_id === "number") {
      const attempt: SyncAttempt = {
        worker,
        kitchenId: line.kitchen_id,
        runId: String(line.run_id),
        attempt: Number(line.attempt),
        startedAt: at,
        endedAt: null,
        end: "running",
      };
      attempts.push(attempt);
      const pending = open.get(key) ?? [];
      pending.push(attempt);
      open.set(key, pending);
    } else if (typeof line.message === "string" && ATTEMPT_ENDS.has(line.message)) {
      const attempt = open.get(key)?.shift();
      if (attempt) {
        attempt.endedAt = at;
        attempt.end = "finished";
      }
    }
  }
  for (const attempt of attempts) {
    if (attempt.end === "running" && processEndedAt !== null) {
      attempt.endedAt = processEndedAt;
      attempt.end = "died";
    }
  }
  return attempts;
}

/** Pairs of attempts of the same kitchen that ran at the same time (an unfinished one runs until `now`). */
export function overlappingAttempts(
  attempts: readonly SyncAttempt[],
  now: number,
): Array<[SyncAttempt, SyncAttempt]> {
  const byKitchen = new Map<number, SyncAttempt[]>();
  for (const a of attempts) {
    const list = byKitchen.get(a.kitchenId) ?? [];
    list.push(a);
    byKitchen.set(a.kitchenId, list);
  }
  const overlaps: Array<[SyncAttempt, SyncAttempt]> = [];
  for (const list of byKitchen.values()) {
    const sorted = [...list].sort((a, b) => a.startedAt - b.startedAt);
    let latest: SyncAttempt | undefined;
    for (const attempt of sorted) {
      if (latest && attempt.startedAt < (latest.endedAt ?? now)) overlaps.push([latest, attempt]);
      if (!latest || (attempt.endedAt ?? now) > (latest.endedAt ?? now)) latest = attempt;
    }
  }
  return overlaps;
}
