import type { StatsPeriod, SyncStats } from "@occ/api";
import { useState } from "react";
import { useSyncRuns, useSyncStats } from "../api/syncHistory";
import { RUN_STATUSES } from "../api/types";
import { ErrorNotice } from "../components/ErrorNotice";
import { QueryState } from "../components/QueryState";
import { RequireKitchen } from "../components/RequireKitchen";
import { SyncRunsTable } from "../components/SyncRunsTable";
import { SyncStatsCharts } from "../components/SyncStatsCharts";
import { RelativeTime } from "../components/Time";
import { formatDuration } from "../lib/time";

export function SyncHistoryPage() {
  return (
    <div className="page history">
      <h1>Sync history</h1>
      <RequireKitchen>
        <SyncHistory />
      </RequireKitchen>
    </div>
  );
}

function SyncHistory() {
  const [period, setPeriod] = useState<StatsPeriod>("24h");
  const [status, setStatus] = useState("");
  const stats = useSyncStats(period);
  const runs = useSyncRuns(status);

  return (
    <>
      <section className="card" aria-labelledby="stats-title">
        <div className="card-header">
          <h2 id="stats-title">Trends</h2>
          <div className="field field-inline">
            <label htmlFor="stats-period">Period</label>
            <select
              id="stats-period"
              value={period}
              onChange={(e) => setPeriod(e.target.value as StatsPeriod)}
            >
              <option value="24h">Last 24 hours</option>
              <option value="7d">Last 7 days</option>
            </select>
          </div>
        </div>
        <QueryState query={stats}>
          {(s) => (
            <>
              <StatsSummary stats={s} />
              <SyncStatsCharts stats={s} />
            </>
          )}
        </QueryState>
      </section>
      <section className="card" aria-labelledby="runs-title">
        <div className="card-header">
          <h2 id="runs-title">Runs</h2>
          <div className="field field-inline">
            <label htmlFor="runs-status">Outcome</label>
            <select id="runs-status" value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">All</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
        </div>
        {runs.error !== null && (
          <ErrorNotice
            error={runs.error}
            // A failed "older runs" page is fetched again; a failed first page is the whole list again.
            onRetry={() => void (runs.data ? runs.fetchNextPage() : runs.refetch())}
          />
        )}
        {runs.data ? (
          <SyncRunsTable runs={runs.data.pages.flatMap((p) => p.runs)} />
        ) : (
          runs.isPending && <p className="muted">Loading…</p>
        )}
        {runs.hasNextPage && (
          <button type="button" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
            {runs.isFetchingNextPage ? "Loading…" : "Load older runs"}
          </button>
        )}
      </section>
    </>
  );
}

function percent(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 1000) / 10} %`;
}

function StatsSummary({ stats }: { stats: SyncStats }) {
  return (
    <dl className="stats-summary">
      <div>
        <dt>Runs</dt>
        <dd>{stats.runs}</dd>
      </div>
      <div>
        <dt>Success rate</dt>
        <dd>{percent(stats.success_rate)}</dd>
      </div>
      <div>
        <dt>Failures</dt>
        <dd>{stats.failures}</dd>
      </div>
      <div>
        <dt>Skipped</dt>
        <dd>{stats.skipped}</dd>
      </div>
      <div>
        <dt>Avg duration</dt>
        <dd>{stats.avg_duration_ms === null ? "—" : formatDuration(stats.avg_duration_ms)}</dd>
      </div>
      <div>
        <dt>p95 duration</dt>
        <dd>{stats.p95_duration_ms === null ? "—" : formatDuration(stats.p95_duration_ms)}</dd>
      </div>
      <div>
        <dt>Newbook error rate</dt>
        <dd>{percent(stats.newbook_error_rate)}</dd>
      </div>
      {stats.last_failure && (
        <div className="stats-last-failure">
          <dt>Last failure</dt>
          <dd>
            <RelativeTime iso={stats.last_failure.at} />
            {stats.last_failure.message && (
              <span className="status-error"> {stats.last_failure.message}</span>
            )}
          </dd>
        </div>
      )}
    </dl>
  );
}
