/**
 * The invariants every scenario is held to, each measured against the real system (PostgreSQL, Redis,
 * the simulator's request log, the worker processes' logs) and reported as held or failed with what
 * was measured. Nothing here throws for a broken invariant: the scenario's report says so instead.
 */
import { type QueueSet, readKitchenSchedule } from "@occ/core";
import { alerts, type Db, syncRuns } from "@occ/db";
import { and, eq, gte, inArray, isNotNull } from "drizzle-orm";
import { overlappingAttempts, type SyncAttempt } from "./attempts";
import { type ArrivedRequest, usageByCredential } from "./budget";
import { type CleanReference, figuresDifference, figuresOf, type ReferenceKitchen } from "./reference";
import { type InvariantResult, invariant } from "./report";
import { pollUntil } from "./wait";
import type { AlertPost } from "./webhook";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Not lost: every kitchen completed a sync that started after the disruption ended. */
export async function everyKitchenSyncedAfter(
  db: Db,
  kitchens: readonly number[],
  since: Date,
  timeoutMs: number,
): Promise<InvariantResult> {
  const synced = new Set<number>();
  const done = await pollUntil(async () => {
    const rows = await db
      .selectDistinct({ kitchenId: syncRuns.kitchenId })
      .from(syncRuns)
      .where(
        and(
          inArray(syncRuns.kitchenId, [...kitchens]),
          eq(syncRuns.status, "success"),
          gte(syncRuns.startedAt, since),
        ),
      );
    for (const row of rows) synced.add(row.kitchenId);
    return synced.size === kitchens.length;
  }, timeoutMs);
  const missing = kitchens.filter((k) => !synced.has(k));
  return invariant(
    "every kitchen synced after the disruption",
    done !== null,
    done
      ? `${kitchens.length}/${kitchens.length} kitchens, all within ${seconds(Date.now() - since.getTime())}`
      : `no success in ${seconds(timeoutMs)} for kitchen(s) ${missing.join(", ")}`,
  );
}

/**
 * No run stuck: every run that is unfinished ("running", or "queued" for a retry) once the kitchens
 * have recovered finishes soon after. A run whose job was lost would stay unfinished for ever.
 */
export async function unfinishedRunsFinish(db: Db, timeoutMs: number): Promise<InvariantResult> {
  const unfinished = await db
    .select({ id: syncRuns.id, kitchenId: syncRuns.kitchenId, status: syncRuns.status })
    .from(syncRuns)
    .where(inArray(syncRuns.status, ["running", "queued"]));
  let stuck = unfinished;
  await pollUntil(async () => {
    if (stuck.length === 0) return true;
    const current = await db
      .select({ id: syncRuns.id, status: syncRuns.status })
      .from(syncRuns)
      .where(
        inArray(
          syncRuns.id,
          stuck.map((r) => r.id),
        ),
      );
    const finished = new Set(
      current.filter((r) => r.status !== "running" && r.status !== "queued").map((r) => r.id),
    );
    stuck = stuck.filter((r) => !finished.has(r.id));
    return stuck.length === 0;
  }, timeoutMs);
  return invariant(
    "no run left unfinished",
    stuck.length === 0,
    stuck.length === 0
      ? `${unfinished.length} in flight at recovery, all finished`
      : `${stuck.length} still unfinished after ${seconds(timeoutMs)}: ${stuck
          .slice(0, 4)
          .map((r) => `kitchen ${r.kitchenId} ${r.status} (run ${r.id.slice(0, 8)})`)
          .join(", ")}`,
  );
}

/**
 * Schedules restored: each enabled kitchen has its job scheduler in Redis, at its normal interval and
 * due within the next interval (not pushed into the future), and there is no other scheduler.
 */
export async function schedulesRestored(
  queues: QueueSet,
  kitchens: readonly number[],
  everyMs: number,
  timeoutMs: number,
): Promise<InvariantResult> {
  let wrong: string[] = [];
  const done = await pollUntil(async () => {
    const [schedules, total] = await Promise.all([
      Promise.all(kitchens.map((k) => readKitchenSchedule(queues, k))),
      queues.frequent.getJobSchedulersCount(),
    ]);
    // One interval of slack: the next run may be about to be scheduled from the one just started.
    const dueBy = Date.now() + 2 * everyMs;
    wrong = kitchens.flatMap((k, i) => {
      const schedule = schedules[i];
      if (!schedule) return [`kitchen ${k} has none`];
      if (schedule.everyMs !== everyMs) return [`kitchen ${k} every ${schedule.everyMs} ms`];
      return schedule.next !== null && schedule.next <= dueBy
        ? []
        : [`kitchen ${k} next due ${schedule.next}`];
    });
    if (total !== kitchens.length) wrong.push(`${total} schedulers for ${kitchens.length} kitchens`);
    return wrong.length === 0;
  }, timeoutMs);
  return invariant(
    "every schedule in Redis",
    done !== null,
    done
      ? `${kitchens.length} schedulers for ${kitchens.length} kitchens, every ${everyMs} ms, each due within it`
      : wrong.slice(0, 4).join(", "),
  );
}

/** A wipe of Redis: from when it began to when its last key was gone (deleting takes a while). */
export interface WipeSpan {
  from: number;
  to: number;
}

/**
 * At most one sync per kitchen at any moment, across all worker processes, dead ones included. The
 * kitchen lock lives in Redis: a wipe that went on between the start of one sync and the start of the next
 * took the first one's lock with it, and such an overlap is counted apart (the worker only logs the lost
 * lock). A sync that started while the wipe was still deleting keys can lose its lock too.
 */
export function noOverlappingSyncs(
  attempts: readonly SyncAttempt[],
  context: { lockLosses: number; now: number; wipes?: readonly WipeSpan[] },
): InvariantResult {
  const overlaps = overlappingAttempts(attempts, context.now);
  const acrossWipe = ([a, b]: [SyncAttempt, SyncAttempt]) =>
    (context.wipes ?? []).some((w) => a.startedAt <= w.to && w.from <= b.startedAt);
  const unexplained = overlaps.filter((pair) => !acrossWipe(pair));
  const describe = ([a, b]: [SyncAttempt, SyncAttempt]) =>
    `kitchen ${a.kitchenId}: worker ${a.worker} and worker ${b.worker} for ${(a.endedAt ?? context.now) - b.startedAt} ms`;
  const died = attempts.filter((a) => a.end === "died").length;
  const parts = [`${attempts.length} attempts (${died} cut short by a kill)`];
  if (context.wipes) {
    const across = overlaps.filter(acrossWipe);
    parts.push(
      `${across.length} overlapped across a wipe${across.length ? ` (${across.map(describe).join("; ")})` : ""}`,
    );
  }
  if (unexplained.length === 0) parts.push(context.wipes ? "none otherwise" : "none overlapped");
  else
    parts.push(
      `${unexplained.length} overlap(s), ${context.lockLosses} kitchen lock(s) lost: ${unexplained.slice(0, 3).map(describe).join("; ")}`,
    );
  return invariant(
    context.wipes ? "no overlapping syncs but across a wipe" : "no two syncs of a kitchen overlapped",
    unexplained.length === 0,
    parts.join("; "),
  );
}

/**
 * Not duplicated: a BullMQ job is one run, plus one linked retry (`retry_of`) per attempt a crashed
 * worker lost (closed as failed `worker_lost`, so history is never rewritten); never two unlinked runs.
 */
export async function noDuplicatedRuns(db: Db, kitchens: readonly number[]): Promise<InvariantResult> {
  const rows = await db
    .select({ id: syncRuns.id, jobId: syncRuns.jobId, status: syncRuns.status, retryOf: syncRuns.retryOf })
    .from(syncRuns)
    .where(and(inArray(syncRuns.kitchenId, [...kitchens]), isNotNull(syncRuns.jobId)));
  const byJob = new Map<string, typeof rows>();
  for (const row of rows) byJob.set(row.jobId!, [...(byJob.get(row.jobId!) ?? []), row]);
  // One chain per job: exactly one run links to nothing in the job, every other links to one of them.
  const duplicated = [...byJob].filter(([, runs]) => {
    const ids = new Set(runs.map((r) => r.id));
    const roots = runs.filter((r) => r.retryOf === null || !ids.has(r.retryOf));
    return roots.length !== 1;
  });
  const succeeded = rows.filter((r) => r.status === "success").length;
  return invariant(
    "no job recorded as two runs",
    duplicated.length === 0,
    duplicated.length === 0
      ? `${rows.length} runs (${succeeded} succeeded), one chain per job`
      : `${duplicated.length} job(s) with several runs, e.g. ${duplicated[0]![0]}`,
  );
}

/** The credential's request budget, measured where Newbook would measure it: on arrival. */
export function budgetHeld(
  requests: readonly ArrivedRequest[],
  budget: { limit: number; windowMs: number },
): InvariantResult {
  const usage = usageByCredential(requests, budget);
  const busiest = [...usage].sort((a, b) => b.busiestWindow - a.busiestWindow)[0];
  const closest = Math.min(...usage.map((u) => u.closestOverBudget));
  const over = usage.filter((u) => u.closestOverBudget < budget.windowMs);
  return invariant(
    "per-credential request budget kept",
    over.length === 0,
    busiest
      ? `${requests.length} requests, ${usage.length} credential(s); busiest ${budget.windowMs} ms: ${busiest.busiestWindow}/${budget.limit}` +
          (Number.isFinite(closest) ? `; the closest ${budget.limit + 1} spanned ${closest} ms` : "")
      : "no requests",
  );
}

/** Data equal to a clean sync of the same bookings into a database nothing else touched. */
export async function dataEqualsCleanSync(
  db: Db,
  reference: CleanReference,
  kitchens: ReadonlyArray<{ kitchenId: number } & ReferenceKitchen>,
): Promise<InvariantResult> {
  const differences: string[] = [];
  let days = 0;
  for (const kitchen of kitchens) {
    const [actual, clean] = await Promise.all([figuresOf(db, kitchen.kitchenId), reference.figures(kitchen)]);
    days += clean.length;
    const difference = figuresDifference(actual, clean);
    if (difference) differences.push(`kitchen ${kitchen.kitchenId}: ${difference}`);
  }
  return invariant(
    "figures equal a clean sync",
    differences.length === 0 && days > 0,
    differences.length === 0
      ? `${kitchens.length} kitchens, ${days} days compared, all equal`
      : `${differences.length} kitchen(s) differ: ${differences.slice(0, 3).join("; ")}`,
  );
}

/** After recovery no alert is left open (stale or failure alerts opened during a disruption resolve). */
export async function noAlertLeftOpen(
  db: Db,
  kitchens: readonly number[],
  timeoutMs: number,
): Promise<InvariantResult> {
  const openAlerts = () =>
    db
      .select({ kitchenId: alerts.kitchenId, kind: alerts.kind })
      .from(alerts)
      .where(and(inArray(alerts.kitchenId, [...kitchens]), eq(alerts.state, "open")));
  const closed = await pollUntil(async () => (await openAlerts()).length === 0, timeoutMs);
  const [all, open] = await Promise.all([
    db
      .select({ id: alerts.id })
      .from(alerts)
      .where(inArray(alerts.kitchenId, [...kitchens])),
    closed ? [] : openAlerts(),
  ]);
  return invariant(
    "no alert left open",
    closed !== null,
    closed
      ? `${all.length} alert(s) opened during the scenario, all resolved`
      : `open: ${open
          .slice(0, 4)
          .map((a) => `kitchen ${a.kitchenId} ${a.kind}`)
          .join(", ")}`,
  );
}

/**
 * Alerting end to end: a failure alert was posted to the webhook for every failing kitchen while
 * it failed, and every alert posted as opened was later posted as resolved. `posts` is read afresh
 * while waiting for the resolutions still on their way.
 */
/**
 * The alert a failing kitchen raises: consecutive failures for an outage, or at once "credentials
 * rejected" when Newbook refuses the login (not an outage: nobody retries it until someone acts).
 */
export function isFailureAlert(kind: string): boolean {
  return kind === "consecutive_failures" || kind === "credentials_rejected";
}

export async function alertsOpenedAndResolved(
  posts: () => readonly AlertPost[],
  kitchens: readonly number[],
  timeoutMs: number,
): Promise<InvariantResult> {
  const opened = () => posts().filter((p) => p.event === "opened");
  const unresolved = () => {
    const resolved = new Set(
      posts()
        .filter((p) => p.event === "resolved")
        .map((p) => p.alert.id),
    );
    return opened().filter((p) => !resolved.has(p.alert.id));
  };
  const failureAlerted = new Set(
    opened()
      .filter((p) => isFailureAlert(p.alert.kind))
      .map((p) => p.alert.kitchen_id),
  );
  const silent = kitchens.filter((k) => !failureAlerted.has(k));
  await pollUntil(async () => unresolved().length === 0, timeoutMs);
  const left = unresolved();
  return invariant(
    "failure alert posted, then resolved",
    silent.length === 0 && left.length === 0,
    [
      silent.length === 0
        ? `${kitchens.length}/${kitchens.length} kitchens alerted`
        : `no alert for kitchen(s) ${silent.join(", ")}`,
      left.length === 0
        ? `${opened().length} opened, all resolved`
        : `${left.length} never resolved (${left.map((p) => `kitchen ${p.alert.kitchen_id} ${p.alert.kind}`).join(", ")})`,
    ].join("; "),
  );
}
