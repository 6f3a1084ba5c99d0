import { effectiveIntervalMinutes } from "@occ/core";
import type { Db, SyncStatus } from "@occ/db";
import {
  alerts,
  HEALTH_RANKS,
  kitchens,
  newbookFrequentSyncSettings,
  STALE_CAPABLE_RANKS,
  SYNC_INTERVALS,
  syncRuns,
} from "@occ/db";
import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";

export const KITCHEN_STATES = [
  "failing",
  "stale",
  "never_synced",
  "running",
  "ok",
  "disabled",
  "not_connected",
] as const;
export type KitchenState = (typeof KITCHEN_STATES)[number];
export const HEALTH_SORTS = ["attention", "name", "last_success", "next_run", "failures"] as const;
export type HealthSort = (typeof HEALTH_SORTS)[number];

export interface HealthQuery {
  page: number;
  pageSize: number;
  state?: KitchenState;
  search?: string;
  sort: HealthSort;
  order?: "asc" | "desc";
}

export interface HealthContext {
  now: Date;
  minuteMs: number;
  backoffAfterFailures: number;
}

export interface OpenAlertRef {
  id: number;
  kind: string;
  severity: string;
  message: string;
  opened_at: string;
  incident_id: number | null;
}

export interface KitchenHealth {
  id: number;
  name: string;
  timezone: string;
  has_connection: boolean;
  is_enabled: boolean;
  state: KitchenState;
  /** Why the kitchen is in its state, in words (the error class of its last failure). */
  reason: string | null;
  /** Since when the kitchen has been in its state, when that is known. */
  since: string | null;
  sync_interval_minutes: number;
  effective_interval_minutes: number;
  last_sync_status: SyncStatus | null;
  last_sync_at: string | null;
  last_success_at: string | null;
  consecutive_failures: number;
  stale: boolean;
  next_sync_at: string | null;
  open_alerts: OpenAlertRef[];
}

export interface KitchensHealthPage {
  kitchens: KitchenHealth[];
  total: number;
  page: number;
  page_size: number;
  /** Kitchens per state among those matching the search (before the state filter). */
  state_counts: Record<KitchenState, number>;
  /** When `state_counts` and `total` were counted (see FleetCounts): at most COUNTS_MAX_AGE_MS ago. */
  counts_as_of: string;
}

/** The error class of a failed run, in words an operator reads at a glance. */
const REASONS: Record<string, string> = {
  newbook_auth: "Newbook rejected the credentials",
  newbook_api: "Newbook refused the request",
  newbook_throttled: "Newbook is throttling requests",
  newbook_server: "Newbook has server errors",
  newbook_network: "Newbook cannot be reached",
  newbook_timeout: "Newbook is not answering in time",
  newbook_protocol: "Newbook sent an unexpected answer",
  configuration: "The kitchen's configuration is incomplete",
  validation: "The sync request was invalid",
  database: "The database could not save the sync",
  abandoned: "The worker running the sync was lost",
  internal: "The sync failed unexpectedly",
};

export function reasonInWords(errorCode: string | null): string | null {
  if (errorCode === null) return null;
  return REASONS[errorCode] ?? `Failed (${errorCode.replace(/_/g, " ")})`;
}

const s = newbookFrequentSyncSettings;
const k = kitchens;

/**
 * The state segments in "failing first" order. Every state but "stale" is stored per kitchen
 * (`health_rank`, computed by PostgreSQL on each write of the settings row); "stale" depends on the time,
 * so it is decided here for the ranks it overrides. Each segment is one walk of an index.
 */
interface Segment {
  state: KitchenState;
  where: SQL;
  /** The segment's own order when it differs from the failing-first one (see attentionOrder). */
  order?: SQL;
}

function segments(ctx: HealthContext): Segment[] {
  // The stale threshold per interval, computed here once rather than per row (one of SYNC_INTERVALS,
  // which the table's check constraint enforces).
  const bound = (minutes: number) => new Date(ctx.now.getTime() - 2 * minutes * ctx.minuteMs).toISOString();
  const stale = sql`(${s.staleFrom} < case ${s.syncIntervalMinutes} ${sql.join(
    SYNC_INTERVALS.map(
      (minutes) => sql`when ${sql.raw(String(minutes))} then ${bound(minutes)}::timestamptz`,
    ),
    sql` `,
  )} end)`;
  const rank = (state: keyof typeof HEALTH_RANKS) => sql`${s.healthRank} = ${HEALTH_RANKS[state]}`;
  const fresh = (state: keyof typeof HEALTH_RANKS) => sql`${rank(state)} and not ${stale}`;
  return [
    { state: "failing", where: rank("failing") },
    {
      state: "stale",
      where: sql`${s.healthRank} in (${sql.raw(STALE_CAPABLE_RANKS.join(", "))}) and ${stale}`,
      // No failures in these ranks: walk the last-success index, oldest first, and stop at the page.
      order: sql`${s.lastSuccessAt} asc nulls first, ${s.kitchenId}`,
    },
    { state: "never_synced", where: fresh("never_synced") },
    { state: "running", where: fresh("running") },
    { state: "ok", where: fresh("ok") },
    { state: "disabled", where: rank("disabled") },
    { state: "not_connected", where: rank("not_connected") },
  ];
}

/** `%` and `_` typed in the search box are literal characters, not patterns. */
function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

const columns = {
  id: k.id,
  name: k.name,
  timezone: k.timezone,
  connected: s.hasConnection,
  isEnabled: s.isEnabled,
  intervalMinutes: s.syncIntervalMinutes,
  failures: s.consecutiveFailures,
  lastSyncStatus: s.lastSyncStatus,
  lastSyncAt: s.lastSyncAt,
  lastSuccessAt: s.lastSuccessAt,
  nextSyncAt: s.nextSyncAt,
  settingsCreatedAt: s.createdAt,
};

interface HealthRow {
  id: number;
  name: string;
  timezone: string;
  connected: boolean;
  isEnabled: boolean;
  intervalMinutes: number;
  failures: number;
  lastSyncStatus: string | null;
  lastSyncAt: Date | null;
  lastSuccessAt: Date | null;
  nextSyncAt: Date | null;
  settingsCreatedAt: Date;
  state: KitchenState;
}

/** Inside the failing segment: the longest failure streak first, then the longest since a success. */
function attentionOrder(order: "asc" | "desc" | undefined): SQL {
  const failures = order === "desc" ? sql`${s.consecutiveFailures} asc` : sql`${s.consecutiveFailures} desc`;
  return sql`${failures}, ${s.lastSuccessAt} asc nulls first, ${s.kitchenId}`;
}

function orderBy(sort: Exclude<HealthSort, "attention">, order: "asc" | "desc" | undefined): SQL {
  const dir = sql.raw(order === "desc" ? "desc" : "asc");
  const flip = sql.raw(order === "desc" ? "asc" : "desc");
  switch (sort) {
    case "name":
      return sql`lower(${k.name}) ${dir}, ${k.id} ${dir}`;
    case "last_success":
      // Oldest success (or none) first: those are the kitchens furthest behind.
      return sql`${s.lastSuccessAt} ${dir} nulls first, ${s.kitchenId}`;
    case "next_run":
      return sql`${s.nextSyncAt} ${dir} nulls last, ${s.kitchenId}`;
    case "failures":
      return sql`${s.consecutiveFailures} ${flip}, ${s.kitchenId}`;
  }
}

/** The state of a settings row as SQL: the first segment whose condition holds. */
function stateSql(parts: Segment[]): SQL {
  return sql`case ${sql.join(
    parts.map((part) => sql`when ${part.where} then ${part.state}::text`),
    sql` `,
  )} end`;
}

/** The page's kitchens with what the view shows of them, in the order of `ids`. */
async function loadRows(db: Db, ids: number[], parts: Segment[]): Promise<HealthRow[]> {
  if (ids.length === 0) return [];
  const found = await db
    .select({ ...columns, state: sql<KitchenState>`${stateSql(parts)}` })
    .from(s)
    .innerJoin(k, eq(k.id, s.kitchenId))
    .where(inArray(s.kitchenId, ids));
  const byId = new Map(found.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** One page of the ops view: kitchens in the requested order with their open alerts and reasons. */
export async function kitchensHealth(
  db: Db,
  query: HealthQuery,
  ctx: HealthContext,
): Promise<KitchensHealthPage> {
  const parts = segments(ctx);
  const named = query.search
    ? sql`${s.kitchenId} in (select ${k.id} from ${k} where ${k.name} ilike ${containsPattern(query.search)})`
    : undefined;
  const from = (query.page - 1) * query.pageSize;
  const to = from + query.pageSize;
  const ids = (source: SQL, where: SQL | undefined, order: SQL, limit: number, offset = 0) =>
    sql`array(select ${s.kitchenId} from ${source} where ${and(sql`true`, where, named)} order by ${order}
      limit ${limit} offset ${offset})`;
  const shown = parts.filter((part) => !query.state || part.state === query.state);
  const ordered = query.order === "desc" ? [...shown].reverse() : shown;
  // One statement (one snapshot) for the counts and the page's ids, so the page agrees with the totals.
  // The default order reads each state segment's first `to` ids from the index that matches its order
  // (settings rows alone), and the page is their concatenation: a page costs its own rows, not the fleet.
  const lists =
    query.sort === "attention"
      ? ordered.map((part) => ids(sql`${s}`, part.where, part.order ?? attentionOrder(query.order), to))
      : [
          ids(
            sql`${s} join ${k} on ${k.id} = ${s.kitchenId}`,
            query.state ? shown[0]!.where : undefined,
            orderBy(query.sort, query.order),
            query.pageSize,
            from,
          ),
        ];
  const shared = named ? null : fleetCounts(db, parts, ctx.now);
  // Without a search the counts are the fleet's, shared across requests for a few seconds (they are the
  // one part of a page whose cost grows with the fleet); with one they are counted with the page's ids in
  // one statement (one snapshot), so the page agrees with its totals.
  const [answer] = rowsOf(
    await db.execute(sql`select
      ${shared ? sql`null` : sql`(${countsJson(parts, named)})`} as counts,
      ${sql.join(
        lists.map((list, i) => sql`${list} as ${sql.identifier(`ids_${i}`)}`),
        sql`, `,
      )}`),
  );
  const counted = shared ? await shared : { counts: answer?.counts, asOf: ctx.now };
  const counts = Object.fromEntries(KITCHEN_STATES.map((name) => [name, 0])) as Record<KitchenState, number>;
  for (const [state, n] of Object.entries((counted.counts ?? {}) as Record<string, number>))
    counts[state as KitchenState] = Number(n);
  const all = lists.flatMap((_, i) => ((answer?.[`ids_${i}`] ?? []) as Array<number | string>).map(Number));
  const pageIds = query.sort === "attention" ? all.slice(from, to) : all;
  const [rows, openAlerts, lastRuns] = await Promise.all([
    loadRows(db, pageIds, parts),
    pageAlerts(db, pageIds),
    lastFailures(db, pageIds),
  ]);
  const kitchensPage = rows.map((row): KitchenHealth => {
    const { id, state, failures, intervalMinutes } = row;
    const lastSuccess = iso(row.lastSuccessAt);
    const failure = lastRuns.get(id);
    return {
      id,
      name: row.name,
      timezone: row.timezone,
      has_connection: row.connected,
      is_enabled: row.isEnabled,
      state,
      reason: stateReason(state, failure?.errorCode ?? null, intervalMinutes),
      since: stateSince(state, {
        failingSince: failure?.firstFailureAt ?? null,
        lastSuccess,
        settingsCreatedAt: iso(row.settingsCreatedAt),
        intervalMinutes,
        minuteMs: ctx.minuteMs,
      }),
      sync_interval_minutes: intervalMinutes,
      effective_interval_minutes: effectiveIntervalMinutes(
        intervalMinutes,
        failures,
        ctx.backoffAfterFailures,
      ),
      last_sync_status: (row.lastSyncStatus ?? null) as SyncStatus | null,
      last_sync_at: iso(row.lastSyncAt),
      last_success_at: lastSuccess,
      consecutive_failures: failures,
      stale: state === "stale" || (state === "failing" && isPastStale(row, ctx)),
      next_sync_at: iso(row.nextSyncAt),
      open_alerts: openAlerts.get(id) ?? [],
    };
  });
  const total = query.state
    ? counts[query.state]
    : KITCHEN_STATES.reduce((sum, state) => sum + counts[state], 0);
  return {
    kitchens: kitchensPage,
    total,
    page: query.page,
    page_size: query.pageSize,
    state_counts: counts,
    counts_as_of: counted.asOf.toISOString(),
  };
}

/** A failing kitchen is stale too when its last success is older than twice its interval. */
function isPastStale(
  row: { lastSuccessAt: Date | null; settingsCreatedAt: Date; intervalMinutes: number },
  ctx: HealthContext,
): boolean {
  const from = Math.max(row.lastSuccessAt?.getTime() ?? 0, row.settingsCreatedAt.getTime());
  return ctx.now.getTime() - from > 2 * row.intervalMinutes * ctx.minuteMs;
}

/**
 * Kitchens per state among those matching the search, as one JSON object: one pass over the settings rows
 * (one small row per kitchen, no join), grouped by the stored rank and the staleness test.
 */
function countsJson(parts: Segment[], named: SQL | undefined): SQL {
  return sql`select coalesce(json_object_agg(state, n), '{}') from (
    select ${stateSql(parts)} as state, count(*)::int as n from ${s}
    ${named ? sql`where ${named}` : sql``} group by 1) c`;
}

/**
 * How old the fleet's shared state counts may be when a page shows them. The count walks every kitchen
 * (18-35 ms at 20,000 on a loaded 2-core machine, EXPLAIN ANALYZE), which every open ops page polling every
 * 15 s would otherwise pay per request; the response says when they were counted (counts_as_of).
 */
export const COUNTS_MAX_AGE_MS = 5_000;
/** From this age on, a request still uses the counts but has them recounted in the background. */
const COUNTS_REFRESH_AGE_MS = 2_000;

interface FleetCounts {
  counts: unknown;
  asOf: Date;
}

interface CountsCache {
  latest: FleetCounts | null;
  recounting: Promise<FleetCounts> | null;
}

/** Per database (one per API process; tests open their own), so no two deployments share counts. */
const countsCaches = new WeakMap<Db, CountsCache>();

/**
 * The fleet's state counts at most COUNTS_MAX_AGE_MS old: younger than COUNTS_REFRESH_AGE_MS as they are;
 * older, as they are while one recount runs in the background (a steady stream of requests never waits
 * for one); older than the maximum (or none yet), recounted and awaited. Concurrent callers share a recount.
 */
function fleetCounts(db: Db, parts: Segment[], now: Date): Promise<FleetCounts> {
  let cache = countsCaches.get(db);
  if (!cache) {
    cache = { latest: null, recounting: null };
    countsCaches.set(db, cache);
  }
  const state = cache;
  const recount = () => {
    state.recounting ??= (async () => {
      const [row] = rowsOf(await db.execute(sql`select (${countsJson(parts, undefined)}) as counts`));
      return { counts: row?.counts, asOf: now };
    })()
      .then((counted) => {
        if (!state.latest || counted.asOf >= state.latest.asOf) state.latest = counted;
        return counted;
      })
      .finally(() => {
        state.recounting = null;
      });
    return state.recounting;
  };
  const age = state.latest ? now.getTime() - state.latest.asOf.getTime() : Number.POSITIVE_INFINITY;
  if (!state.latest || age < 0 || age > COUNTS_MAX_AGE_MS) return recount();
  // A background recount's failure is not this request's: the next one past the maximum age awaits its own.
  if (age > COUNTS_REFRESH_AGE_MS) recount().catch(() => undefined);
  return Promise.resolve(state.latest);
}

/** node-postgres and PGlite both answer raw SQL with `rows`. */
function rowsOf(result: unknown): Array<Record<string, unknown>> {
  return (result as { rows: Array<Record<string, unknown>> }).rows;
}

function stateReason(state: KitchenState, errorCode: string | null, intervalMinutes: number): string | null {
  switch (state) {
    case "failing":
      return reasonInWords(errorCode) ?? "The last sync failed";
    case "stale":
      return `No successful sync for more than twice the ${intervalMinutes}-minute interval`;
    case "not_connected":
      return "No Newbook connection saved";
    case "disabled":
      return "Syncing is switched off";
    case "never_synced":
      return "Waiting for the first sync";
    default:
      return null;
  }
}

function stateSince(
  state: KitchenState,
  t: {
    failingSince: string | null;
    lastSuccess: string | null;
    settingsCreatedAt: string | null;
    intervalMinutes: number;
    minuteMs: number;
  },
): string | null {
  if (state === "failing") return t.failingSince;
  if (state === "ok" || state === "running") return t.lastSuccess;
  if (state === "stale") {
    const from = t.lastSuccess ?? t.settingsCreatedAt;
    return from ? new Date(Date.parse(from) + 2 * t.intervalMinutes * t.minuteMs).toISOString() : null;
  }
  return null;
}

async function pageAlerts(db: Db, ids: number[]): Promise<Map<number, OpenAlertRef[]>> {
  const byKitchen = new Map<number, OpenAlertRef[]>();
  if (ids.length === 0) return byKitchen;
  const rows = await db
    .select()
    .from(alerts)
    .where(and(inArray(alerts.kitchenId, ids), eq(alerts.state, "open")))
    .orderBy(asc(alerts.openedAt));
  for (const row of rows) {
    const list = byKitchen.get(row.kitchenId) ?? [];
    list.push({
      id: row.id,
      kind: row.kind,
      severity: row.severity,
      message: row.message,
      opened_at: row.openedAt.toISOString(),
      incident_id: row.incidentId,
    });
    byKitchen.set(row.kitchenId, list);
  }
  return byKitchen;
}

/**
 * For the page's kitchens only: the error class of the last failed next-days run and when the current
 * failure streak began (the first failure after the last success). Both walk the failed runs' partial
 * index (sync_runs_failed_idx) backwards from the newest, so the cost is the streak's length, not the
 * history's (0.6 ms for a page of 50 at 20,000 kitchens x 20 runs, against 9.6 ms through all the runs).
 */
async function lastFailures(
  db: Db,
  ids: number[],
): Promise<Map<number, { errorCode: string | null; firstFailureAt: string | null }>> {
  const result = new Map<number, { errorCode: string | null; firstFailureAt: string | null }>();
  if (ids.length === 0) return result;
  const r = syncRuns;
  const rows = await db.execute(sql`
    select ids.id as kitchen_id, last.error_code, streak.first_failure_at
    from unnest(${`{${ids.join(",")}}`}::int[]) as ids(id)
    left join ${s} on ${s.kitchenId} = ids.id
    left join lateral (
      select ${r.errorCode} as error_code from ${r}
      where ${r.kitchenId} = ids.id and ${r.kind} <> 'historical' and ${r.status} = 'failed'
      order by ${r.queuedAt} desc limit 1) last on true
    left join lateral (
      select min(${r.queuedAt}) as first_failure_at from ${r}
      where ${r.kitchenId} = ids.id and ${r.kind} <> 'historical' and ${r.status} = 'failed'
        and ${r.queuedAt} > coalesce(${s.lastSuccessAt}, '-infinity')
        and coalesce(${s.consecutiveFailures}, 0) > 0) streak on true`);
  for (const row of rowsOf(rows)) {
    result.set(Number(row.kitchen_id), {
      errorCode: (row.error_code as string | null) ?? null,
      firstFailureAt: iso(row.first_failure_at as string | null),
    });
  }
  return result;
}
