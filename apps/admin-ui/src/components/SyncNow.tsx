import type { SyncRun } from "@occ/api";
import { useState } from "react";
import { Link } from "react-router-dom";
import { useNewbookConnection } from "../api/connection";
import { isRunFinished, useFollowedSyncRun, useSyncNow } from "../api/frequentSync";
import { runTone } from "../lib/syncBadge";
import { formatDuration } from "../lib/time";
import { Badge } from "./Badge";
import { ErrorNotice } from "./ErrorNotice";

/** "Sync now": queues a run and shows its progress live until it finishes. */
export function SyncNowButton() {
  const syncNow = useSyncNow();
  const [runId, setRunId] = useState<string | null>(null);
  const run = useFollowedSyncRun(runId);
  // Nothing to sync from before a connection is saved (the API would refuse with 409).
  const notConnected = useNewbookConnection().data?.configured === false;

  const start = () => {
    syncNow.mutate(undefined, { onSuccess: (result) => setRunId(result.run_id) });
  };
  const busy = syncNow.isPending || (run.data !== undefined && !isRunFinished(run.data));

  return (
    <div className="sync-now">
      <button
        type="button"
        className="button-primary"
        onClick={start}
        disabled={busy || notConnected}
        aria-describedby={notConnected ? "sync-now-not-connected" : undefined}
      >
        {busy ? "Syncing…" : "Sync now"}
      </button>
      <span className="sync-now-status" role="status" aria-live="polite">
        {notConnected && (
          <span className="muted" id="sync-now-not-connected">
            Connect to Newbook in <Link to="/settings">Settings</Link> first.
          </span>
        )}
        {syncNow.isPending && <span className="status-pending">Queuing…</span>}
        {syncNow.isError && <ErrorNotice inline error={syncNow.error} onRetry={start} />}
        {syncNow.data?.already_running && !run.data && <span>A sync is already running; following it.</span>}
        {run.data && <RunProgress run={run.data} />}
        {run.error && <ErrorNotice inline error={run.error} onRetry={() => void run.refetch()} />}
      </span>
    </div>
  );
}

function RunProgress({ run }: { run: SyncRun }) {
  return (
    <span className="run-progress" data-run-status={run.status}>
      <Badge tone={runTone(run.status)}>{run.status}</Badge>{" "}
      {run.status === "running" && run.progress_total > 0 && (
        <span>
          {run.progress_done} / {run.progress_total}
        </span>
      )}
      {run.status === "queued" && run.error_message && <span className="muted">{run.error_message}</span>}
      {run.status === "success" && (
        <span>
          {run.bookings_fetched} bookings, {run.rows_changed} rows changed
          {run.duration_ms !== null && ` in ${formatDuration(run.duration_ms)}`}
        </span>
      )}
      {run.status === "failed" && <span className="status-error">{run.error_message}</span>}
      {run.status === "skipped" && (
        <span>{run.error_message ?? "Another sync was running for this kitchen."}</span>
      )}
    </span>
  );
}
