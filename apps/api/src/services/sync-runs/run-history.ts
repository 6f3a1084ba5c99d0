import type { Db, RunKind, RunStatus } from "@occ/db";
import { syncRuns } from "@occ/db";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { z } from "zod";
import { ApiError } from "../../errors";
import type { syncRunSchema } from "../../schemas/sync";
import type { RunRow } from "./queued-run";

/** A run as the API shows it: the type comes from the response schema. */
export type RunView = z.infer<typeof syncRunSchema>;

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

function runView(row: RunRow): RunView {
  return {
    id: row.id,
    kind: row.kind as RunKind,
    trigger: row.trigger,
    status: row.status as RunStatus,
    window_from: row.windowFrom,
    window_to: row.windowTo,
    queued_at: row.queuedAt.toISOString(),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    duration_ms: row.durationMs,
    newbook_calls: row.newbookCalls,
    read: row.read,
    bookings_fetched: row.bookingsFetched,
    rows_changed: row.rowsChanged,
    progress_done: row.progressDone,
    progress_total: row.progressTotal,
    error_message: row.errorMessage,
  };
}

export async function getRun(db: Db, kitchenId: number, runId: string): Promise<RunView> {
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.kitchenId, kitchenId), eq(syncRuns.id, runId)));
  if (!row) throw ApiError.notFound("Sync run");
  return runView(row);
}

export interface RunsPageQuery {
  limit?: number;
  before?: string;
  status?: RunStatus;
}

/** Newest first. The cursor keeps microseconds so runs queued in the same millisecond are not skipped. */
export async function listRuns(
  db: Db,
  kitchenId: number,
  query: RunsPageQuery,
): Promise<{ runs: RunView[]; next_before: string | null }> {
  const limit = query.limit ?? 50;
  const rows = await db
    .select({
      run: syncRuns,
      cursor: sql<string>`to_char(${syncRuns.queuedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.kitchenId, kitchenId),
        query.status ? eq(syncRuns.status, query.status) : undefined,
        query.before ? lt(syncRuns.queuedAt, sql`${query.before}::timestamptz`) : undefined,
      ),
    )
    .orderBy(desc(syncRuns.queuedAt), desc(syncRuns.id))
    .limit(limit);
  const last = rows.at(-1);
  return {
    runs: rows.map((r) => runView(r.run)),
    next_before: rows.length === limit && last ? last.cursor : null,
  };
}
