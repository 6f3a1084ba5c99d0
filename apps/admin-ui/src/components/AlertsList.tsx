import type { Alert } from "@occ/api";
import { Badge } from "./Badge";
import { RelativeTime } from "./Time";

export function AlertsList({ alerts }: { alerts: Alert[] }) {
  if (alerts.length === 0) return <p className="muted">No open alerts.</p>;
  return (
    <ul className="alerts" data-testid="alerts">
      {alerts.map((alert) => (
        <li key={alert.id} className={`alert alert-${alert.severity}`}>
          <Badge tone={alert.severity === "critical" ? "red" : "amber"}>{alert.severity}</Badge>
          <span className="alert-message">{alert.message}</span>
          <span className="muted">
            opened <RelativeTime iso={alert.opened_at} />
          </span>
        </li>
      ))}
    </ul>
  );
}
