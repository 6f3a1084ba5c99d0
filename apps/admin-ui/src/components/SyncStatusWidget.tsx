import type { FrequentSyncSettings } from "@occ/api";
import { Link } from "react-router-dom";
import { syncBadge } from "../lib/syncBadge";
import { formatDuration } from "../lib/time";
import { Badge } from "./Badge";
import { BusyHoursSummary, failuresText, NextSync } from "./NextSync";
import { SyncNowButton } from "./SyncNow";
import { RelativeTime } from "./Time";

/** The dashboard's "Newbook Sync Status" widget from the original plan. */
export function SyncStatusWidget({
  settings,
  connected,
}: {
  settings: FrequentSyncSettings;
  /** False when the kitchen has no Newbook connection yet; undefined while unknown. */
  connected: boolean | undefined;
}) {
  const badge = syncBadge(settings);
  const backedOff =
    settings.schedule_off_reason === null &&
    !settings.next_sync_busy &&
    settings.effective_interval_minutes > settings.sync_interval_minutes;
  return (
    <section
      className="card sync-widget"
      aria-labelledby="sync-widget-title"
      data-testid="sync-status-widget"
    >
      <div className="card-header">
        <h2 id="sync-widget-title">Newbook Sync Status</h2>
        <span data-testid="sync-status-badge" data-tone={badge.tone}>
          <Badge tone={badge.tone}>{badge.label}</Badge>
        </span>
      </div>
      <dl className="facts">
        <dt>Interval</dt>
        <dd>
          Every {settings.sync_interval_minutes} minutes
          {backedOff && (
            <span className="status-warning">
              {" "}
              (backing off: every {settings.effective_interval_minutes} min)
            </span>
          )}
        </dd>
        <dt>Last sync</dt>
        <dd data-testid="last-sync">
          <RelativeTime iso={settings.last_sync_at} />
          {settings.last_duration_ms !== null && (
            <span className="muted"> · took {formatDuration(settings.last_duration_ms)}</span>
          )}
        </dd>
        <dt>Last success</dt>
        <dd>
          <RelativeTime iso={settings.last_success_at} />
        </dd>
        <dt>Next sync</dt>
        <dd>
          <NextSync settings={settings} />
        </dd>
        {settings.busy_hours.length > 0 && (
          <>
            <dt>Busy hours</dt>
            <dd>
              <BusyHoursSummary settings={settings} />
            </dd>
          </>
        )}
      </dl>
      {connected === false && (
        <p className="status-warning">
          Not connected to Newbook yet: <Link to="/settings">set up the connection</Link>.
        </p>
      )}
      {settings.consecutive_failures > 0 && (
        <p className="status-warning" data-testid="consecutive-failures">
          ⚠️ {failuresText(settings.consecutive_failures)}
        </p>
      )}
      {settings.last_error_message && (
        <p className="error-box" data-testid="last-error">
          <strong>Last error:</strong> {settings.last_error_message}
        </p>
      )}
      <SyncNowButton />
    </section>
  );
}
