import type { Db } from "@occ/db";
import { sql } from "drizzle-orm";

export interface FleetOptions {
  kitchens: number;
  /** Finished next-days runs per kitchen, so queries meet a realistic history. */
  runsPerKitchen?: number;
  now?: Date;
  namePrefix?: string;
}

/**
 * Inserts a fleet set-wise (benchmarks and tests of the ops view) with a fixed mix, by kitchen id:
 * every 10th failing (1-6 failures, last error newbook_server, one open critical alert), every 10th
 * + 1 stale (last success 3 hours ago at a 15-minute interval), every 20th + 2 without a connection,
 * every 20th + 3 disabled, the rest synced a minute ago. Returns the new kitchens' ids.
 */
export async function seedFleet(db: Db, options: FleetOptions): Promise<number[]> {
  const now = (options.now ?? new Date()).toISOString();
  const prefix = options.namePrefix ?? "Kitchen";
  const result = await db.execute(sql`
    insert into kitchens (name, timezone)
    select ${prefix} || ' ' || lpad(g::text, 5, '0'), 'Europe/London' from generate_series(1, ${options.kitchens}::int) g
    returning id`);
  const ids = (result as unknown as { rows: Array<{ id: number }> }).rows.map((row) => Number(row.id));
  const list = sql`(select unnest(${`{${ids.join(",")}}`}::int[]) as id)`;
  await db.execute(sql`
    insert into newbook_connections (kitchen_id, base_url, region, username, password_enc, api_key_enc, verified_at)
    select id, 'https://api.newbook.cloud/rest', 'au', 'user' || id, 'x', 'x', ${now}::timestamptz - interval '1 day'
    from ${list} k where id % 20 <> 2`);
  await db.execute(sql`
    insert into newbook_frequent_sync_settings
      (kitchen_id, has_connection, is_enabled, sync_interval_minutes, last_sync_at, last_sync_status, consecutive_failures,
       last_success_at, next_sync_at, created_at)
    select id, id % 20 <> 2, id % 20 <> 3, 15,
      ${now}::timestamptz - interval '1 minute',
      case when id % 10 = 0 then 'failed' else 'success' end,
      case when id % 10 = 0 then 1 + id % 6 else 0 end,
      ${now}::timestamptz - case when id % 10 in (0, 1) then interval '3 hours' else interval '1 minute' end,
      ${now}::timestamptz + interval '14 minutes',
      ${now}::timestamptz - interval '1 day'
    from ${list} k`);
  const runs = options.runsPerKitchen ?? 0;
  if (runs > 0) {
    await db.execute(sql`
      insert into sync_runs (kitchen_id, kind, trigger, status, window_from, window_to, queued_at, started_at,
        finished_at, duration_ms, error_code, error_message)
      select id, 'frequent', 'schedule',
        case when id % 10 = 0 and r <= 1 + id % 6 then 'failed' else 'success' end,
        current_date, current_date + 7,
        ${now}::timestamptz - r * interval '15 minutes',
        ${now}::timestamptz - r * interval '15 minutes',
        ${now}::timestamptz - r * interval '15 minutes' + interval '1 second', 1000,
        case when id % 10 = 0 and r <= 1 + id % 6 then 'newbook_server' end,
        case when id % 10 = 0 and r <= 1 + id % 6 then 'Newbook answered with a server error' end
      from ${list} k, generate_series(1, ${runs}::int) r`);
  }
  await db.execute(sql`
    insert into alerts (kitchen_id, kind, severity, message)
    select id, 'consecutive_failures', 'critical', 'Syncs keep failing' from ${list} k where id % 10 = 0`);
  return ids;
}
