import type { HealthSort, KitchenHealth, KitchenState, KitchensHealth } from "@occ/api";
import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useKitchensHealth, useOpenBullBoard } from "../api/admin";
import { Badge } from "../components/Badge";
import { FleetPanel } from "../components/FleetPanel";
import { MutationStatus } from "../components/MutationStatus";
import { QueryState } from "../components/QueryState";
import { ScrollTable } from "../components/ScrollTable";
import { RelativeTime } from "../components/Time";
import { useNow } from "../hooks/useNow";
import { KITCHEN_STATE_LABELS, kitchenStateTone } from "../lib/kitchenState";
import { formatAge, formatClock, formatDateTime } from "../lib/time";
import { useSession } from "../session";

const PAGE_SIZE = 50;
// The labels name every state the API knows (a Record over its type), in the API's order of urgency.
const FILTERS: Array<KitchenState | "all"> = [
  "all",
  ...(Object.keys(KITCHEN_STATE_LABELS) as KitchenState[]),
];
const SORT_LABELS: Record<HealthSort, string> = {
  attention: "Needs attention first",
  name: "Name",
  last_success: "Oldest success first",
  next_run: "Next run",
  failures: "Most failures",
};

export function OpsPage() {
  const { isAdmin } = useSession();
  if (!isAdmin) {
    return (
      <section className="card">
        <h1>Ops</h1>
        <p>This page is for administrators.</p>
      </section>
    );
  }
  return <Ops />;
}

/** Typing in the search box asks the server once the typing pauses, not on every key. */
function useDebounced(value: string, ms: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function Ops() {
  const [state, setState] = useState<KitchenState | "all">("all");
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<HealthSort>("attention");
  const [page, setPage] = useState(1);
  const q = useDebounced(search.trim(), 250);
  // A new filter starts at the first page: page 7 of "failing" may not exist.
  const refine =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setPage(1);
    };
  const health = useKitchensHealth({
    page,
    page_size: PAGE_SIZE,
    state: state === "all" ? undefined : state,
    q,
    sort,
  });
  const bullBoard = useOpenBullBoard();
  const openBullBoard = () => {
    // Open the tab synchronously (popup blockers) and point it at Bull Board once the cookie is set.
    const tab = window.open("", "_blank");
    bullBoard.mutate(undefined, {
      onSuccess: (session) => {
        if (tab) tab.location.href = session.path;
        else window.location.assign(session.path);
      },
      onError: () => tab?.close(),
    });
  };

  return (
    <div className="page ops">
      <div className="page-header">
        <h1>Ops</h1>
        <div className="form-actions">
          <Link to="/admin">Kitchens &amp; users</Link>
          <button
            type="button"
            className="button-primary"
            onClick={openBullBoard}
            disabled={bullBoard.isPending}
          >
            Open Bull Board
          </button>
          <MutationStatus mutation={bullBoard} pending="Opening…" success="Opened in a new tab" />
        </div>
      </div>
      <FleetPanel />
      <section className="card" aria-labelledby="health-title">
        <h2 id="health-title">Kitchens</h2>
        <div className="ops-controls">
          <fieldset className="state-filter">
            <legend className="visually-hidden">Show kitchens that are</legend>
            {FILTERS.map((f) => (
              <label key={f} className={state === f ? "chip chip-active" : "chip"}>
                <input
                  type="radio"
                  name="state"
                  value={f}
                  checked={state === f}
                  onChange={() => refine(setState)(f)}
                  className="visually-hidden"
                />
                {f === "all" ? "All" : KITCHEN_STATE_LABELS[f]}
                {health.data && (
                  <span className="chip-count" data-testid={`count-${f}`}>
                    {f === "all"
                      ? Object.values(health.data.state_counts).reduce((a, b) => a + b, 0)
                      : health.data.state_counts[f]}
                  </span>
                )}
              </label>
            ))}
          </fieldset>
          {health.data && <CountsAsOf iso={health.data.counts_as_of} />}
          <label className="field-inline">
            <span>Search</span>
            <input
              type="search"
              value={search}
              onChange={(e) => refine(setSearch)(e.target.value)}
              placeholder="Kitchen name"
              maxLength={200}
            />
          </label>
          <label className="field-inline">
            <span>Sort</span>
            <select value={sort} onChange={(e) => refine(setSort)(e.target.value as HealthSort)}>
              {Object.entries(SORT_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <QueryState query={health}>
          {(data) => (
            <>
              <HealthTable kitchens={data.kitchens} />
              <Pager data={data} onPage={setPage} />
            </>
          )}
        </QueryState>
      </section>
    </div>
  );
}

/**
 * The state counts are shared across requests for a few seconds (and the page refetches every 15 s), so
 * they can lag the list under them; saying when they were counted explains a count that disagrees.
 */
function CountsAsOf({ iso }: { iso: string }) {
  const now = useNow(1_000);
  const { timeZone } = useSession();
  return (
    <p className="muted small counts-as-of" data-testid="counts-as-of">
      Counts as of{" "}
      <time dateTime={iso} title={formatDateTime(iso, timeZone)}>
        {formatClock(iso, timeZone, { seconds: true })}
      </time>
      , {formatAge(iso, now)}
    </p>
  );
}

function Pager({ data, onPage }: { data: KitchensHealth; onPage: (page: number) => void }) {
  const pages = Math.max(1, Math.ceil(data.total / data.page_size));
  const first = data.total === 0 ? 0 : (data.page - 1) * data.page_size + 1;
  const last = Math.min(data.total, data.page * data.page_size);
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={() => onPage(data.page - 1)} disabled={data.page <= 1}>
        Previous
      </button>
      <span data-testid="pager-status">
        {first}–{last} of {data.total} · page {data.page} of {pages}
      </span>
      <button type="button" onClick={() => onPage(data.page + 1)} disabled={data.page >= pages}>
        Next
      </button>
    </nav>
  );
}

function Interval({ k }: { k: KitchenHealth }) {
  if (k.effective_interval_minutes === k.sync_interval_minutes) return <>{k.sync_interval_minutes} min</>;
  return (
    <span title={`Backed off after ${k.consecutive_failures} failed syncs`}>
      {k.effective_interval_minutes} min{" "}
      <span className="muted small">(set {k.sync_interval_minutes}, backed off)</span>
    </span>
  );
}

function HealthTable({ kitchens }: { kitchens: KitchenHealth[] }) {
  const { chooseKitchen } = useSession();
  const navigate = useNavigate();
  const open = (kitchenId: number, to = "/") => {
    chooseKitchen(kitchenId);
    navigate(to);
  };
  if (kitchens.length === 0) return <p className="muted">No kitchens match.</p>;
  return (
    <ScrollTable
      label="Kitchens"
      columns={["Kitchen", "State", "Since", "Last success", "Next run", "Interval", "Open alerts"]}
      testId="kitchens-health"
    >
      <tbody>
        {kitchens.map((k) => (
          <tr key={k.id} data-kitchen-id={k.id} data-state={k.state}>
            <th scope="row">
              <button type="button" className="link-button" onClick={() => open(k.id)}>
                {k.name}
              </button>
              <div className="muted small">{k.timezone}</div>
            </th>
            <td>
              <Badge tone={kitchenStateTone(k.state)}>{KITCHEN_STATE_LABELS[k.state]}</Badge>
              {k.reason && <div className="small">{k.reason}</div>}
              {k.consecutive_failures > 0 && (
                <div className="muted small">{k.consecutive_failures} failed in a row</div>
              )}
            </td>
            <td>
              <RelativeTime iso={k.since} fallback="—" />
            </td>
            <td>
              <RelativeTime iso={k.last_success_at} />
            </td>
            <td>{k.is_enabled ? <RelativeTime iso={k.next_sync_at} fallback="—" /> : "—"}</td>
            <td>
              <Interval k={k} />
            </td>
            <td>
              {k.open_alerts.length === 0 ? (
                <span className="muted">none</span>
              ) : (
                <ul className="alert-links">
                  {k.open_alerts.map((a) => (
                    <li key={a.id}>
                      <details>
                        <summary>
                          <Badge tone={a.severity === "critical" ? "red" : "amber"}>
                            {a.kind.replace(/_/g, " ")}
                          </Badge>
                        </summary>
                        <p className="small">{a.message}</p>
                        <p className="muted small">
                          Opened <RelativeTime iso={a.opened_at} />
                          {a.incident_id !== null && <> · part of Newbook outage #{a.incident_id}</>}
                        </p>
                        <button type="button" className="link-button" onClick={() => open(k.id, "/history")}>
                          See the kitchen's sync history
                        </button>
                      </details>
                    </li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}
