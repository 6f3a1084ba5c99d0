import type { FrequentSyncSettings } from "@occ/api";
import { Link } from "react-router-dom";
import { busyHoursText } from "../lib/syncSettings";
import { DateTime, RelativeTime } from "./Time";

/**
 * "Next sync" as the schedule owner says it is: the scheduler's real next run (marked when it falls in
 * busy hours), or why there is none — with the way out when the reader has to act.
 */
export function NextSync({ settings, absolute }: { settings: FrequentSyncSettings; absolute?: boolean }) {
  switch (settings.schedule_off_reason) {
    case "disabled":
      return <span className="muted">automatic sync is off</span>;
    case "not_connected":
      return <span className="muted">not connected to Newbook</span>;
    case "connection_untested":
      return (
        <span className="muted" data-testid="schedule-untested">
          off until the Newbook connection passes a test — <Link to="/settings">test it in Settings</Link>
        </span>
      );
    case "credentials_rejected":
      return (
        <span className="status-error" data-testid="schedule-paused">
          paused: Newbook rejected the login — <Link to="/settings">update it in Settings</Link>
        </span>
      );
    default:
      return (
        <span data-testid="next-sync">
          {absolute ? (
            <DateTime iso={settings.next_sync_at} fallback="not scheduled" />
          ) : (
            <RelativeTime iso={settings.next_sync_at} fallback="not scheduled" />
          )}
          {settings.next_sync_busy && (
            <span className="muted" data-testid="next-sync-busy">
              {" "}
              (busy hours: every {settings.busy_interval_minutes} min)
            </span>
          )}
        </span>
      );
  }
}

/** The kitchen's busy hours and their interval, or nothing when it has none. */
export function BusyHoursSummary({ settings }: { settings: FrequentSyncSettings }) {
  if (settings.busy_hours.length === 0 || settings.busy_interval_minutes === null) return null;
  return (
    <span data-testid="busy-hours-summary">
      {busyHoursText(settings.busy_hours)}: every {settings.busy_interval_minutes} min
      <span className="muted"> (kitchen time)</span>
    </span>
  );
}

/** "1 consecutive failure", "3 consecutive failures". */
export function failuresText(count: number): string {
  return `${count} consecutive failure${count === 1 ? "" : "s"}`;
}
