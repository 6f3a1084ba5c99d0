import { effectiveIntervalMinutes } from "@occ/core";
import type { Db, SyncStatus } from "@occ/db";
import { alerts, kitchens, newbookConnections, newbookFrequentSyncSettings, syncRuns } from "@occ/db";
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
const c = newbookConnections;
const k = kitchens;

/**
 * The state of every kitchen, computed by PostgreSQL so filtering, sorting and paging never load the
 * fleet into the API. The order of the CASE is the precedence: a failing kitchen is also stale, but
 * "failing" says more. Kitchens without a settings row show the defaults (enabled, 15 minutes).
 */
function healthRows(ctx: HealthContext) {
  const staleAfter = sql`make_interval(secs => 2 * ${s.syncIntervalMinutes} * ${ctx.minuteMs / 1000}::float8)`;
  const stale = sql<boolean>`coalesce(${c.kitchenId} is not null and ${s.isEnabled}
    and ${ctx.now.toISOString()}::timestamptz - greatest(coalesce(${s.lastSuccessAt}, '-infinity'), ${s.createdAt}) > ${staleAfter}, false)`;
  const state = sql<KitchenState>`case
    when ${c.kitchenId} is null then 'not_connected'
    when not coalesce(${s.isEnabled}, true) then 'disabled'
    when coalesce(${s.consecutiveFailures}, 0) > 0 then 'failing'
    when ${stale} then 'stale'
    when ${s.lastSyncStatus} = 'running' then 'running'
    when ${s.lastSyncAt} is null then 'never_synced'
    else 'ok' end`;
  return {
    id: k.id,
    name: k.name,
    timezone: k.timezone,
    connected: sql<boolean>`${c.kitchenId} is not null`.as("connected"),
    isEnabled: sql<boolean>`coalesce(${s.isEnabled}, true)`.as("is_enabled"),
    intervalMinutes: sql<number>`coalesce(${s.syncIntervalMinutes}, 15)`.as("interval_minutes"),
    failures: sql<number>`coalesce(${s.consecutiveFailures}, 0)`.as("failures"),
    lastSyncStatus: s.lastSyncStatus,
    lastSyncAt: s.lastSyncAt,
    lastSuccessAt: s.lastSuccessAt,
    nextSyncAt: s.nextSyncAt,
    settingsCreatedAt: sql<Date | null>`${s.createdAt}`.as("settings_created_at"),
    stale: stale.as("stale"),
    state: state.as("state"),
  };
}

const RANK = sql.raw(
  `case state ${KITCHEN_STATES.map((state, i) => `when '${state}' then ${i}`).join(" ")} end`,
);

function orderBy(sort: HealthSort, order: "asc" | "desc" | undefined): SQL {
  const dir = sql.raw(order === "desc" ? "desc" : "asc");
  const flip = sql.raw(order === "desc" ? "asc" : "desc");
  switch (sort) {
    case "name":
      return sql`lower(name) ${dir}, id`;
    case "last_success":
      // Oldest success (or none) first: those are the kitchens furthest behind.
      return sql`last_success_at ${dir} nulls first, id`;
    case "next_run":
      return sql`next_sync_at ${dir} nulls last, id`;
    case "failures":
      return sql`failures ${flip}, id`;
    default:
      return sql`${RANK} ${dir}, failures ${flip}, last_success_at asc nulls first, lower(name), id`;
  }
}

/** `%` and `_` typed in the search box are literal characters, not patterns. */
function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** node-postgres and PGlite both answer raw SQL with `rows`. */
function rowsOf(result: unknown): Array<Record<string, unknown>> {
  return (result as { rows: Array<Record<string, unknown>> }).rows;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** One page of the ops view: kitchens in the requested order with their open alerts and reasons. */
export async function kitchensHealth(
  db: Db,
  query: HealthQuery,
  ctx: HealthContext,
): Promise<KitchensHealthPage> {
  const base = db
    .select(healthRows(ctx))
    .from(k)
    .leftJoin(s, eq(s.kitchenId, k.id))
    .leftJoin(c, eq(c.kitchenId, k.id))
    .where(query.search ? sql`${k.name} ilike ${containsPattern(query.search)}` : undefined)
    .as("h");
  const filter = query.state ? sql`where state = ${query.state}` : sql``;
  // One pass over the fleet (a materialized CTE) serves the page, its total and the state counts.
  const result = await db.execute(sql`with h as materialized (select * from ${base})
    select
      (select coalesce(json_object_agg(state, n), '{}') from (select state, count(*)::int as n from h group by state) c) as counts,
      (select count(*)::int from h ${filter}) as total,
      (select coalesce(json_agg(p), '[]') from (select * from h ${filter}
        order by ${orderBy(query.sort, query.order)}
        limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}) p) as page`);
  const [answer] = rowsOf(result);
  const rows = (answer?.page ?? []) as Array<Record<string, unknown>>;
  const stateCounts = Object.fromEntries(KITCHEN_STATES.map((state) => [state, 0])) as Record<
    KitchenState,
    number
  >;
  for (const [state, n] of Object.entries((answer?.counts ?? {}) as Record<string, number>)) {
    stateCounts[state as KitchenState] = Number(n);
  }
  const ids = rows.map((row) => Number(row.id));
  const [openAlerts, lastRuns] = await Promise.all([pageAlerts(db, ids), lastFailures(db, ids)]);
  const kitchensPage = rows.map((row): KitchenHealth => {
    const id = Number(row.id);
    const state = row.state as KitchenState;
    const failures = Number(row.failures);
    const intervalMinutes = Number(row.interval_minutes);
    const lastSuccess = iso(row.last_success_at as string | null);
    const failure = lastRuns.get(id);
    return {
      id,
      name: String(row.name),
      timezone: String(row.timezone),
      has_connection: Boolean(row.connected),
      is_enabled: Boolean(row.is_enabled),
      state,
      reason: stateReason(state, failure?.errorCode ?? null, intervalMinutes),
      since: stateSince(state, {
        failingSince: failure?.firstFailureAt ?? null,
        lastSuccess,
        settingsCreatedAt: iso(row.settings_created_at as string | null),
        intervalMinutes,
        minuteMs: ctx.minuteMs,
      }),
      sync_interval_minutes: intervalMinutes,
      effective_interval_minutes: effectiveIntervalMinutes(
        intervalMinutes,
        failures,
        ctx.backoffAfterFailures,
      ),
      last_sync_status: (row.last_sync_status ?? null) as SyncStatus | null,
      last_sync_at: iso(row.last_sync_at as string | null),
      last_success_at: lastSuccess,
      consecutive_failures: failures,
      stale: Boolean(row.stale),
      next_sync_at: iso(row.next_sync_at as string | null),
      open_alerts: openAlerts.get(id) ?? [],
    };
  });
  return {
    kitchens: kitchensPage,
    total: Number(answer?.total ?? 0),
    page: query.page,
    page_size: query.pageSize,
    state_counts: stateCounts,
  };
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
 * failure streak began (the first failure after the last success). Both walk the (kitchen, queued_at)
 * index backwards from the newest run, so the cost is the streak's length, not the history's.
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
