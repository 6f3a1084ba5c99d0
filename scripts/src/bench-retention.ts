/**
 * `npm run bench:retention [-- --kitchens 5000 --runs-per-day 96 --days 30]`: bounded storage. Simulates
 * `days` days of a fleet by inserting each day's rows directly (sync runs at the kitchens' interval,
 * bookings with guests' personal data, daily figures, resolved alerts), runs the retention pass at the end
 * of each simulated day as the scheduled job would, and prints what the tables hold afterwards next to
 * what they would hold without retention. Uses its own PostgreSQL database (TEST_POSTGRES_URL), dropped
 * at the end.
 */
import { loadConfig, type RetentionResult, retentionPolicyFromConfig, runRetention } from "@occ/core";
import { createTestDatabase } from "@occ/testkit";
import { sql } from "drizzle-orm";
import { runBench } from "./bench-support/run-bench";
import { formatTable } from "./bench-support/table";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const KITCHENS = flag("kitchens", 5000);
const RUNS_PER_DAY = flag("runs-per-day", 96);
const DAYS = flag("days", 30);
/** Arrivals per kitchen per day (a 60-room hotel at ~3 nights per stay). */
const ARRIVALS_PER_DAY = 20;
const DAY_MS = 86_400_000;
/** Concurrent statements inserting a day's runs (the test database's pool holds 5 connections). */
const RUN_INSERT_PARTS = 3;
const TABLES = ["sync_runs", "sync_run_daily", "bookings", "daily_occupancy", "alerts"] as const;

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

runBench("bench:retention", async (defer) => {
  const config = loadConfig({});
  const policy = retentionPolicyFromConfig(config);
  const testDb = await createTestDatabase("occ_bench_retention");
  defer(() => testDb.drop());
  const db = testDb.handle.db;
  const exec = (query: ReturnType<typeof sql>) => db.execute(query);
  /** Time spent inserting each table's simulated rows, to tell the simulation's cost from retention's. */
  const insertMs: Record<string, number> = {};
  const insert = async (table: string, query: ReturnType<typeof sql>) => {
    const started = performance.now();
    await exec(query);
    insertMs[table] = (insertMs[table] ?? 0) + performance.now() - started;
  };
  console.log(
    `bench:retention: ${KITCHENS} kitchens, ${RUNS_PER_DAY} runs per kitchen per day, ${DAYS} days; policy ${JSON.stringify(policy)}`,
  );
  await exec(sql`
    insert into kitchens (name, timezone)
    select 'Kitchen ' || i, case when i % 2 = 0 then 'Europe/London' else 'Pacific/Auckland' end
    from generate_series(1, ${KITCHENS}) i`);

  async function tableSizes(): Promise<{ table: string; rows: number; bytes: number }[]> {
    const sizes: { table: string; rows: number; bytes: number }[] = [];
    for (const table of TABLES) {
      const result = await exec(
        sql`select count(*)::bigint as rows, pg_total_relation_size(${table}::regclass) as bytes from ${sql.identifier(table)}`,
      );
      const row = (result as unknown as { rows: { rows: string; bytes: string }[] }).rows[0]!;
      sizes.push({ table, rows: Number(row.rows), bytes: Number(row.bytes) });
    }
    return sizes;
  }
  let before: { table: string; rows: number; bytes: number }[] = [];
  const start = Date.UTC(2025, 5, 1);
  const inserted: Record<string, number> = Object.fromEntries(TABLES.map((t) => [t, 0]));
  const passes: (RetentionResult & { day: number; ms: number })[] = [];
  for (let day = 0; day < DAYS; day++) {
    const dayStarted = performance.now();
    const dayStart = new Date(start + day * DAY_MS).toISOString();
    const date = dayStart.slice(0, 10);
    const spacing = DAY_MS / RUNS_PER_DAY;
    // One day of runs: ~2 % failed (a third of those Newbook's fault), ~1 % skipped. In time order (as
    // they happen), split by kitchen over several connections and beside the day's other rows: PostgreSQL
    // inserts with one core per statement, and a 30-day fleet is millions of rows.
    const runs = (part: number) =>
      insert(
        "sync_runs",
        sql`
      insert into sync_runs (kitchen_id, kind, trigger, status, window_from, window_to, queued_at, started_at,
        finished_at, duration_ms, newbook_calls, bookings_fetched, rows_changed, error_code, error_message)
      select k.id, 'frequent', 'schedule', s.status, ${date}::date, ${date}::date + 7, t, t, t + interval '0.3 s',
        250 + (k.id * 7 + r) % 400, 2, 600, (k.id + r) % 5,
        case when s.status = 'failed' then 'newbook_timeout' end,
        case when s.status = 'failed' then 'Newbook did not answer in time' end
      from generate_series(0, ${RUNS_PER_DAY - 1}) r cross join kitchens k
      cross join lateral (select ${dayStart}::timestamptz + r * ${spacing} * interval '1 ms' as t) q
      cross join lateral (select case when (k.id + r * 31) % 100 < 2 then 'failed'
        when (k.id + r * 31) % 100 = 2 then 'skipped' else 'success' end as status) s
      where k.id % ${RUN_INSERT_PARTS} = ${part}
      order by r, k.id`,
      );
    // The day's arrivals, each with two named guests, sometimes dietary needs and a kitchen note.
    const bookings = insert(
      "bookings",
      sql`
      insert into bookings (kitchen_id, newbook_id, status, arrival_date, departure_date, adults, children,
        site_name, guest_name, group_name, eta, guests, kitchen_notes, items, content_hash)
      select k.id, ${date}::text || '-' || b, 'Departed', ${date}::date, ${date}::date + 1 + b % 4, 2, b % 2,
        (100 + b)::text, 'Guest ' || k.id || '-' || b, case when b % 10 = 0 then 'Wedding party' end,
        lpad((12 + b % 10)::text, 2, '0') || ':00',
        jsonb_build_array(
          jsonb_build_object('name', 'Guest ' || k.id || '-' || b, 'dietary',
            case when b % 7 = 0 then '["Vegan"]'::jsonb else '[]'::jsonb end, 'vip', b % 25 = 0),
          jsonb_build_object('name', 'Partner ' || k.id || '-' || b, 'dietary', '[]'::jsonb, 'vip', false)),
        case when b % 9 = 0 then '["Birthday cake with dinner"]'::jsonb else '[]'::jsonb end,
        jsonb_build_array(jsonb_build_object('stayDate', ${date}::text, 'glAccountId', '101', 'name', 'Breakfast')),
        md5(k.id || '-' || b)
      from kitchens k cross join generate_series(1, ${ARRIVALS_PER_DAY}) b`,
    );
    // The day's figures with the residents view's per-room copy of who sleeps where: the rooms built once
    // for the day, each kitchen's guest names put in (as long as building each kitchen's from scratch).
    const occupancy = insert(
      "daily_occupancy",
      sql`
      with rooms as (
        select jsonb_agg(jsonb_build_object('room', (100 + n)::text, 'siteId', n::text, 'bookingId', n::text,
          'groupId', null, 'guestName', 'Guest ' || n, 'adults', 2, 'children', 0, 'infants', 0,
          'arrival', ${date}::text, 'departure', ${date}::text, 'hasBreakfast', true, 'isDbb', false)) as list
        from generate_series(1, 45) n)
      insert into daily_occupancy (kitchen_id, date, rooms_occupied, adults, room_breakdown)
      select k.id, ${date}::date, 45, 90, replace(rooms.list::text, '"Guest ', '"Guest ' || k.id || '-')::jsonb
      from kitchens k cross join rooms`,
    );
    await Promise.all([
      ...Array.from({ length: RUN_INSERT_PARTS }, (_, part) => runs(part)),
      bookings,
      occupancy,
    ]);
    inserted.sync_runs! += KITCHENS * RUNS_PER_DAY;
    inserted.bookings! += KITCHENS * ARRIVALS_PER_DAY;
    inserted.daily_occupancy! += KITCHENS;
    // 1 % of kitchens have an incident a day, resolved the same day.
    await insert(
      "alerts",
      sql`
      insert into alerts (kitchen_id, kind, severity, state, message, opened_at, resolved_at)
      select k.id, 'stale', 'warning', 'resolved', 'No successful sync for 30 minutes',
        ${dayStart}::timestamptz + interval '2 h', ${dayStart}::timestamptz + interval '3 h'
      from kitchens k where (k.id + ${day}) % 100 = 0`,
    );
    inserted.alerts! += Math.floor(KITCHENS / 100);

    const insertedMs = Math.round(performance.now() - dayStarted);
    if (day === DAYS - 1) before = await tableSizes();
    const started = performance.now();
    const result = await runRetention(db, policy, new Date(start + day * DAY_MS + 23 * 3_600_000));
    passes.push({ day: day + 1, ms: Math.round(performance.now() - started), ...result });
    process.stdout.write(
      `day ${day + 1}: inserted in ${insertedMs} ms, pass ${passes.at(-1)!.ms} ms ${JSON.stringify(result.stepMs)}\n`,
    );
  }

  const sizes = await tableSizes();
  console.log(
    `\nInserting the simulated rows took (statements running side by side) ${Object.entries(insertMs)
      .map(([table, ms]) => `${table} ${(ms / 1000).toFixed(1)} s`)
      .join(", ")}`,
  );
  console.log("\nTables before and after the last day's pass:");
  console.log(
    formatTable(
      [
        ["table", "rows before", "MB before", "rows after", "MB after"],
        ...TABLES.map((table, i) => [
          table,
          String(before[i]!.rows),
          mb(before[i]!.bytes),
          String(sizes[i]!.rows),
          mb(sizes[i]!.bytes),
        ]),
      ],
      ["left"],
    ),
  );
  const slowest = passes.reduce((a, b) => (b.ms > a.ms ? b : a));
  console.log(
    `\nPass time over ${DAYS} days: median ${[...passes].map((p) => p.ms).sort((a, b) => a - b)[Math.floor(DAYS / 2)]} ms, ` +
      `slowest ${slowest.ms} ms (day ${slowest.day}: ${JSON.stringify(slowest.stepMs)})`,
  );
  console.log("\nRetention passes (one per simulated day; the last five shown):");
  console.log(
    formatTable([
      [
        "day",
        "ms",
        "runs ms",
        "guest data purged",
        "room nights scrubbed",
        "bookings deleted",
        "runs rolled up",
        "alerts deleted",
      ],
      ...passes
        .slice(-5)
        .map((p) =>
          [
            p.day,
            p.ms,
            p.stepMs.syncRunsRolledUp,
            p.guestDataPurged,
            p.roomNightsScrubbed,
            p.bookingsDeleted,
            p.syncRunsRolledUp,
            p.alertsDeleted,
          ].map(String),
        ),
    ]),
  );
  console.log(
    `\nTables after ${DAYS} simulated days (with retention) vs rows inserted (what stays without it):`,
  );
  console.log(
    formatTable(
      [
        ["table", "rows kept", "size MB", "bytes/row", "rows inserted", "est. MB without retention"],
        ...sizes.map((s) => {
          const perRow = s.rows > 0 ? s.bytes / s.rows : 0;
          const without = inserted[s.table] ?? s.rows;
          return [
            s.table,
            String(s.rows),
            mb(s.bytes),
            String(Math.round(perRow)),
            String(without),
            mb(perRow * without),
          ];
        }),
      ],
      ["left"],
    ),
  );
  const runsPerYear = KITCHENS * RUNS_PER_DAY * 365;
  console.log(
    `\nsync_runs without retention would reach ${runsPerYear.toLocaleString("en")} rows a year; with it, it stays at ` +
      `about ${(KITCHENS * RUNS_PER_DAY * (policy.syncRunDays + 1)).toLocaleString("en")} (SYNC_RUN_RETENTION_DAYS + today) ` +
      `plus one sync_run_daily row per kitchen and day.`,
  );
});
