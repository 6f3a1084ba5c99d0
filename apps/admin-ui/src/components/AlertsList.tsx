import type { Alert } from "@occ/api";
import { Link } from "react-router-dom";
import { useNow } from "../hooks/useNow";
import { type AlertTime, alertSegments } from "../lib/alertText";
import { formatDateTime, formatRelative } from "../lib/time";
import { useSession } from "../session";
import { Badge } from "./Badge";
import { RelativeTime } from "./Time";

/** Where each action an alert may ask for is done. */
const ACTION_LINKS: Record<NonNullable<Alert["action"]>, { to: string; label: string }> = {
  settings: { to: "/settings", label: "Fix it in Settings" },
};

/** A time the alert names, on the kitchen's clock and relative: "18:06, 22 min ago". */
function AlertClock({ time, now }: { time: AlertTime; now: Date }) {
  const { timeZone } = useSession();
  return (
    <time dateTime={time.at} title={formatDateTime(time.at, timeZone)}>
      {time.clock}, {formatRelative(time.at, now)}
    </time>
  );
}

export function AlertsList({ alerts }: { alerts: Alert[] }) {
  const now = useNow();
  if (alerts.length === 0) return <p className="muted">No open alerts.</p>;
  return (
    <ul className="alerts" data-testid="alerts">
      {alerts.map((alert) => {
        const link = alert.action ? ACTION_LINKS[alert.action] : null;
        return (
          <li key={alert.id} className={`alert alert-${alert.severity}`} data-kind={alert.kind}>
            <Badge tone={alert.severity === "critical" ? "red" : "amber"}>{alert.severity}</Badge>
            {link && <Badge tone="red">action needed</Badge>}
            <span className="alert-message">
              {alertSegments(alert.message, alert.times).map((segment, i) =>
                "time" in segment ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: segments of one fixed text
                  <AlertClock key={i} time={segment.time} now={now} />
                ) : (
                  segment.text
                ),
              )}
            </span>
            {link && (
              <Link className="alert-action" to={link.to}>
                {link.label}
              </Link>
            )}
            <span className="muted">
              opened <RelativeTime iso={alert.opened_at} />
            </span>
          </li>
        );
      })}
    </ul>
  );
}
