import type { Fleet } from "@occ/api";
import { useFleet } from "../api/admin";
import { QueryState } from "./QueryState";
import { ScrollTable } from "./ScrollTable";
import { RelativeTime } from "./Time";

const DEPTHS = ["waiting", "active", "delayed", "failed"] as const;

/** A tiny line of one queue's backlog (waiting + delayed) over the sampled hour. */
function Trend({ fleet, queue }: { fleet: Fleet; queue: string }) {
  const points = fleet.queue_trend.map((s) => {
    const d = s.queues[queue];
    return d ? d.waiting + d.delayed : 0;
  });
  if (points.length < 2) return <span className="muted small">collecting…</span>;
  const max = Math.max(1, ...points);
  const path = points
    .map((v, i) => `${((i / (points.length - 1)) * 100).toFixed(1)},${(28 - (v / max) * 26).toFixed(1)}`)
    .join(" ");
  const first = points[0]!;
  const last = points.at(-1)!;
  const words = last > first ? "growing" : last < first ? "shrinking" : "steady";
  return (
    <span className="trend">
      <svg viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true" className="sparkline">
        <polyline points={path} fill="none" stroke="currentColor" strokeWidth="2" />
      </svg>
      <span className="small" data-testid={`trend-${queue}`}>
        {words} ({first} → {last})
      </span>
    </span>
  );
}

function Budget({ used, limit }: { used: number; limit: number }) {
  const percent = Math.min(100, Math.round((used / limit) * 100));
  return (
    <div className="progress">
      {/* The bar repeats the figures beside it, which screen readers read. */}
      <div className="progress-track" aria-hidden="true">
        <div
          className={percent >= 90 ? "progress-fill progress-hot" : "progress-fill"}
          style={{ width: `${percent}%` }}
        />
      </div>
      <span className="progress-text">
        {used} / {limit}
      </span>
    </div>
  );
}

function FleetView({ fleet }: { fleet: Fleet }) {
  const windowSeconds = Math.round(fleet.rate_window_ms / 1000);
  return (
    <div className="fleet">
      <dl className="fleet-stats">
        <div>
          <dt>Workers online</dt>
          <dd data-testid="fleet-workers-count">{fleet.workers.length}</dd>
        </div>
        <div>
          <dt>Syncs per minute</dt>
          <dd data-testid="fleet-syncs-per-minute">{fleet.syncs_per_minute}</dd>
        </div>
        <div>
          <dt>Schedule lag p95</dt>
          <dd data-testid="fleet-lag">
            {fleet.schedule_lag_p95_ms === null ? "—" : `${(fleet.schedule_lag_p95_ms / 1000).toFixed(1)} s`}
          </dd>
        </div>
      </dl>

      <h3>Workers</h3>
      {fleet.workers.length === 0 ? (
        <p className="status-error">No worker is online: nothing syncs until one starts.</p>
      ) : (
        <ScrollTable
          label="Workers"
          columns={["Host", "PID", "Running jobs", "Online since"]}
          testId="fleet-workers"
        >
          <tbody>
            {fleet.workers.map((w) => (
              <tr key={w.name}>
                <th scope="row">{w.host}</th>
                <td>{w.pid ?? "—"}</td>
                <td>{w.running_jobs}</td>
                <td>
                  <RelativeTime iso={w.since} />
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}

      <h3>Queues</h3>
      <ScrollTable
        label="Queues"
        columns={["Queue", ...DEPTHS.map((d) => d[0]!.toUpperCase() + d.slice(1)), "Backlog, last hour"]}
        testId="fleet-queues"
      >
        <tbody>
          {fleet.queues.map((q) => (
            <tr key={q.name} data-queue={q.name}>
              <th scope="row">{q.name}</th>
              {DEPTHS.map((d) => (
                <td key={d} className={d === "failed" && q.failed > 0 ? "status-error" : undefined}>
                  {q[d]}
                </td>
              ))}
              <td>
                <Trend fleet={fleet} queue={q.name} />
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>

      <h3>Newbook budgets</h3>
      <p className="muted small">
        Requests per credential in the last {windowSeconds} s, against the limit every worker shares;
        throttled = Newbook answered 429 in the last hour.
      </p>
      {fleet.credentials.length === 0 ? (
        <p className="muted">No Newbook requests in the current window.</p>
      ) : (
        <ScrollTable
          label="Newbook budgets"
          columns={["Credential", "Budget used", "Throttled"]}
          testId="fleet-credentials"
        >
          <tbody>
            {fleet.credentials.map((c) => (
              <tr key={c.credential}>
                <th scope="row">{c.credential}</th>
                <td>
                  <Budget used={c.requests_in_window} limit={c.limit} />
                </td>
                <td className={c.throttled_last_hour > 0 ? "status-error" : undefined}>
                  {c.throttled_last_hour}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      {fleet.credentials_total > fleet.credentials.length && (
        <p className="muted small">
          The {fleet.credentials.length} busiest of {fleet.credentials_total} credentials.
        </p>
      )}
    </div>
  );
}

/** The ops page's first card: is the machinery healthy, before looking at kitchens one by one. */
export function FleetPanel() {
  const fleet = useFleet();
  return (
    <section className="card" aria-labelledby="fleet-title" data-testid="fleet">
      <h2 id="fleet-title">Fleet at a glance</h2>
      <QueryState query={fleet}>{(data) => <FleetView fleet={data} />}</QueryState>
    </section>
  );
}
