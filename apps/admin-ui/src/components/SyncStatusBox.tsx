import type { FrequentSyncSettings } from "@occ/api";
import { syncBadge } from "../lib/syncBadge";
import { Badge } from "./Badge";
import { BusyHoursSummary, failuresText, NextSync } from "./NextSync";
import { DateTime, RelativeTime } from "./Time";

/** The settings page's status box: Last Sync, Status, Error, N consecutive failures. */
export function SyncStatusBox({ settings }: { settings: FrequentSyncSettings }) {
  const badge = syncBadge(settings);
  return (
    <div className="status-box" data-testid="sync-status-box">
      <div className="status-row">
        <strong>Last Sync:</strong>
        <span>
          <DateTime iso={settings.last_sync_at} fallback="never" />
          {settings.last_sync_at && (
            <span className="muted">
              {" "}
              (<RelativeTime iso={settings.last_sync_at} />)
            </span>
          )}
        </span>
      </div>
      <div className="status-row">
        <strong>Status:</strong>
        <span>
          <Badge tone={badge.tone}>{settings.last_sync_status?.toUpperCase() ?? badge.label}</Badge>
          {settings.stale && settings.is_enabled && <span className="status-warning"> stale</span>}
        </span>
      </div>
      <div className="status-row">
        <strong>Next Sync:</strong>
        <span>
          <NextSync settings={settings} absolute />
        </span>
      </div>
      {settings.busy_hours.length > 0 && (
        <div className="status-row">
          <strong>Busy Hours:</strong>
          <BusyHoursSummary settings={settings} />
        </div>
      )}
      {settings.last_error_message && (
        <div className="error-box">
          <strong>Error:</strong> {settings.last_error_message}
        </div>
      )}
      {settings.consecutive_failures > 0 && (
        <div className="status-warning">⚠️ {failuresText(settings.consecutive_failures)}</div>
      )}
    </div>
  );
}
