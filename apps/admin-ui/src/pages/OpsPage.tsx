import type { KitchenHealth } from "@occ/api";
import { useNavigate } from "react-router-dom";
import { useKitchensHealth, useOpenBullBoard } from "../api/admin";
import { Badge } from "../components/Badge";
import { MutationStatus } from "../components/MutationStatus";
import { QueryState } from "../components/QueryState";
import { RelativeTime } from "../components/Time";
import { syncBadge } from "../lib/syncBadge";
import { useSession } from "../session";

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

function Ops() {
  const kitchens = useKitchensHealth();
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
      <section className="card" aria-labelledby="health-title">
        <h2 id="health-title">Kitchens</h2>
        <QueryState query={kitchens}>{(k) => <HealthTable kitchens={k.kitchens} />}</QueryState>
      </section>
    </div>
  );
}

function HealthTable({ kitchens }: { kitchens: KitchenHealth[] }) {
  const { chooseKitchen } = useSession();
  const navigate = useNavigate();
  const open = (kitchenId: number) => {
    chooseKitchen(kitchenId);
    navigate("/");
  };
  if (kitchens.length === 0) return <p className="muted">No kitchens yet.</p>;
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="kitchens-health">
        <thead>
          <tr>
            <th scope="col">Kitchen</th>
            <th scope="col">Status</th>
            <th scope="col">Interval</th>
            <th scope="col">Last sync</th>
            <th scope="col">Last success</th>
            <th scope="col" className="num">
              Failures
            </th>
            <th scope="col">Stale</th>
            <th scope="col">Next sync</th>
            <th scope="col" className="num">
              Alerts
            </th>
          </tr>
        </thead>
        <tbody>
          {kitchens.map((k) => {
            const badge = k.has_connection ? syncBadge(k) : { tone: "grey" as const, label: "Not connected" };
            return (
              <tr key={k.id} data-kitchen-id={k.id}>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => open(k.id)}>
                    {k.name}
                  </button>
                  <div className="muted small">{k.timezone}</div>
                </th>
                <td>
                  <Badge tone={badge.tone}>{badge.label}</Badge>
                </td>
                <td>{k.sync_interval_minutes} min</td>
                <td>
                  <RelativeTime iso={k.last_sync_at} />
                </td>
                <td>
                  <RelativeTime iso={k.last_success_at} />
                </td>
                <td className={k.consecutive_failures > 0 ? "num status-error" : "num"}>
                  {k.consecutive_failures}
                </td>
                <td>{k.stale ? <Badge tone="amber">stale</Badge> : "no"}</td>
                <td>{k.is_enabled ? <RelativeTime iso={k.next_sync_at} fallback="—" /> : "—"}</td>
                <td className="num">{k.open_alerts}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
