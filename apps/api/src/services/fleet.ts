import {
  budgetKeys,
  type Config,
  type QueueDepth,
  type QueueDepthSample,
  type QueueSet,
  type RedisClient,
  readQueueDepthSamples,
  readQueueDepths,
  THROTTLE_MEMORY_MS,
} from "@occ/core";
import type { Db } from "@occ/db";
import { sql } from "drizzle-orm";

export interface FleetDeps {
  db: Db;
  queues: QueueSet;
  redis: RedisClient;
  config: Pick<Config, "QUEUE_PREFIX" | "NEWBOOK_RATE_LIMIT" | "NEWBOOK_RATE_WINDOW_MS">;
  now: () => Date;
}

export interface WorkerView {
  name: string;
  host: string;
  pid: number | null;
  queues: string[];
  running_jobs: number;
  since: string;
}

export interface CredentialBudgetView {
  credential: string;
  requests_in_window: number;
  limit: number;
  throttled_last_hour: number;
}

export interface FleetView {
  generated_at: string;
  workers: WorkerView[];
  queues: Array<{ name: string } & QueueDepth>;
  queue_trend: QueueDepthSample[];
  syncs_per_minute: number;
  syncs_by_minute: Array<{ minute: string; runs: number; failures: number }>;
  schedule_lag_p95_ms: number | null;
  credentials: CredentialBudgetView[];
  credentials_total: number;
  rate_window_ms: number;
}

/** Minutes of run history the rates and the lag are computed over. */
const RECENT_MINUTES = 15;
/** The rate is over the last few whole minutes, so one quiet or busy minute does not swing it. */
const RATE_MINUTES = 5;
/** The budgets shown: the busiest credentials; the total says how many more there are. */
const CREDENTIALS_SHOWN = 50;

interface ClientEntry {
  rawname?: string;
  age?: string;
}

/** "host:pid" as the worker named itself (see the worker's workerName). */
function parseWorkerName(name: string): { host: string; pid: number | null } {
  const match = /^(.*):(\d+)$/.exec(name);
  return match ? { host: match[1]!, pid: Number(match[2]) } : { host: name, pid: null };
}

/**
 * Workers online from BullMQ's worker list (Redis CLIENT LIST): one row per worker process, with the
 * queues it consumes, since when it is connected and how many jobs it runs now (active jobs' processedBy).
 */
async function workersOnline(queues: QueueSet, now: Date): Promise<WorkerView[]> {
  const byName = new Map<string, WorkerView & { ageSeconds: number }>();
  for (const queue of [queues.frequent, queues.historical]) {
    const [clients, active] = await Promise.all([
      queue.getWorkers() as Promise<ClientEntry[]>,
      queue.getActive(),
    ]);
    const running = new Map<string, number>();
    for (const job of active) {
      if (job.processedBy) running.set(job.processedBy, (running.get(job.processedBy) ?? 0) + 1);
    }
    for (const client of clients) {
      const marker = client.rawname?.indexOf(":w:") ?? -1;
      const name = marker >= 0 ? client.rawname!.slice(marker + 3) : "unnamed worker";
      const ageSeconds = Number(client.age ?? 0);
      const existing = byName.get(name);
      const row = existing ?? {
        name,
        ...parseWorkerName(name),
        queues: [],
        running_jobs: 0,
        since: "",
        ageSeconds,
      };
      if (!row.queues.includes(queue.name)) {
        row.queues.push(queue.name);
        row.running_jobs += running.get(name) ?? 0;
      }
      row.ageSeconds = Math.max(row.ageSeconds, ageSeconds);
      byName.set(name, row);
    }
  }
  return [...byName.values()]
    .map(({ ageSeconds, ...row }) => ({
      ...row,
      since: new Date(now.getTime() - ageSeconds * 1000).toISOString(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Every credential that sent a request in the current window (the limiter's index), its requests in the
 * window against the limit, and how often Newbook throttled it in the last hour. Named by
 * username@host/region: the keys are hashes and no secret is ever read.
 */
async function credentialBudgets(
  deps: FleetDeps,
  nowMs: number,
): Promise<{ credentials: CredentialBudgetView[]; total: number }> {
  const { redis, config } = deps;
  const keys = budgetKeys(config.QUEUE_PREFIX);
  const windowStart = nowMs - config.NEWBOOK_RATE_WINDOW_MS;
  const [active, throttles] = await Promise.all([
    redis.zrangebyscore(keys.active, windowStart, "+inf"),
    redis.zrangebyscore(keys.throttled, nowMs - THROTTLE_MEMORY_MS, "+inf"),
  ]);
  const throttledBy = new Map<string, number>();
  for (const member of throttles) {
    const credential = member.split(":")[0]!;
    throttledBy.set(credential, (throttledBy.get(credential) ?? 0) + 1);
  }
  const credentialIds = [...new Set([...active, ...throttledBy.keys()])];
  if (credentialIds.length === 0) return { credentials: [], total: 0 };
  // One command per credential window, not a pipeline: on a Redis Cluster the windows live in other slots.
  const [counts, labels] = await Promise.all([
    Promise.all(
      credentialIds.map((id) => redis.zcount(`${config.QUEUE_PREFIX}:ratelimit:${id}`, windowStart, "+inf")),
    ),
    redis.hmget(keys.labels, ...credentialIds),
  ]);
  const rows = credentialIds.map((id, i) => ({
    credential: labels[i] ?? `unnamed credential ${id}`,
    requests_in_window: counts[i] ?? 0,
    limit: config.NEWBOOK_RATE_LIMIT,
    throttled_last_hour: throttledBy.get(id) ?? 0,
  }));
  rows.sort(
    (a, b) =>
      b.throttled_last_hour - a.throttled_last_hour ||
      b.requests_in_window - a.requests_in_window ||
      a.credential.localeCompare(b.credential),
  );
  return { credentials: rows.slice(0, CREDENTIALS_SHOWN), total: rows.length };
}

/**
 * Finished runs per minute and the schedule lag (a scheduled run's start minus the time BullMQ had it
 * due, which its job id carries: repeat:<scheduler>:<due ms>), from the runs PostgreSQL already keeps.
 * Bounded by queued_at so the index on it limits the read to the last minutes.
 */
async function recentRuns(db: Db, now: Date) {
  const since = new Date(now.getTime() - RECENT_MINUTES * 60_000).toISOString();
  const queuedSince = new Date(now.getTime() - 2 * RECENT_MINUTES * 60_000).toISOString();
  const nowIso = now.toISOString();
  const minutes = await db.execute(sql`
    select to_char(date_trunc('minute', finished_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:00"Z"') as minute,
      count(*)::int as runs, count(*) filter (where status = 'failed')::int as failures
    from sync_runs
    where queued_at >= ${queuedSince}::timestamptz and finished_at >= ${since}::timestamptz
      and finished_at < ${nowIso}::timestamptz and status in ('success', 'failed')
    group by 1 order by 1`);
  const rateSince = new Date(now.getTime() - RATE_MINUTES * 60_000).toISOString();
  const lag = await db.execute(sql`
    select
      (select count(*)::int from sync_runs
        where queued_at >= ${queuedSince}::timestamptz and finished_at >= ${rateSince}::timestamptz
          and finished_at < ${nowIso}::timestamptz and status in ('success', 'failed')) as recent,
      percentile_cont(0.95) within group (
        order by extract(epoch from started_at) * 1000 - substring(job_id from ':(\\d+)$')::bigint) as p95
    from sync_runs
    where queued_at >= ${queuedSince}::timestamptz and started_at >= ${since}::timestamptz
      and trigger = 'schedule' and job_id like 'repeat:%'`);
  const rows = (minutes as unknown as { rows: Array<{ minute: string; runs: number; failures: number }> })
    .rows;
  const [summary] = (lag as unknown as { rows: Array<{ recent: number; p95: number | string | null }> }).rows;
  const p95 = summary?.p95;
  return {
    perMinute: Number(summary?.recent ?? 0) / RATE_MINUTES,
    byMinute: rows.map((r) => ({ minute: r.minute, runs: Number(r.runs), failures: Number(r.failures) })),
    lagP95: p95 === null || p95 === undefined ? null : Math.max(0, Math.round(Number(p95))),
  };
}

/** The ops page's fleet at a glance: workers, queues and their trend, throughput, lag, Newbook budgets. */
export async function fleetOverview(deps: FleetDeps): Promise<FleetView> {
  const now = deps.now();
  const [workers, depths, trend, runs, budgets] = await Promise.all([
    workersOnline(deps.queues, now),
    readQueueDepths([deps.queues.frequent, deps.queues.historical]),
    readQueueDepthSamples(deps.redis, deps.config.QUEUE_PREFIX),
    recentRuns(deps.db, now),
    credentialBudgets(deps, now.getTime()),
  ]);
  return {
    generated_at: now.toISOString(),
    workers,
    queues: Object.entries(depths).map(([name, depth]) => ({ name, ...depth })),
    queue_trend: trend,
    syncs_per_minute: Math.round(runs.perMinute * 10) / 10,
    syncs_by_minute: runs.byMinute,
    schedule_lag_p95_ms: runs.lagP95,
    credentials: budgets.credentials,
    credentials_total: budgets.total,
    rate_window_ms: deps.config.NEWBOOK_RATE_WINDOW_MS,
  };
}
