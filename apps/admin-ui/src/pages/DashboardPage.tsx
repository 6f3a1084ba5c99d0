import { useAlerts } from "../api/alerts";
import { useNewbookConnection } from "../api/connection";
import { useFrequentSyncSettings } from "../api/frequentSync";
import { useOccupancy } from "../api/occupancy";
import { AlertsList } from "../components/AlertsList";
import { OccupancyChart } from "../components/OccupancyChart";
import { OccupancyTable } from "../components/OccupancyTable";
import { QueryState } from "../components/QueryState";
import { RequireKitchen } from "../components/RequireKitchen";
import { SyncStatusWidget } from "../components/SyncStatusWidget";
import { useNow } from "../hooks/useNow";
import { addDays, todayIn } from "../lib/time";
import { useSession } from "../session";

const DAYS_SHOWN = 7;

export function DashboardPage() {
  return (
    <div className="page dashboard">
      <h1>Dashboard</h1>
      <RequireKitchen>
        <Dashboard />
      </RequireKitchen>
    </div>
  );
}

function Dashboard() {
  const { timeZone } = useSession();
  const today = todayIn(timeZone, useNow(60_000));
  const settings = useFrequentSyncSettings();
  const occupancy = useOccupancy(today, addDays(today, DAYS_SHOWN - 1));
  const alerts = useAlerts("open");
  const connection = useNewbookConnection();

  return (
    <>
      <div className="dashboard-top">
        <QueryState query={settings}>
          {(s) => <SyncStatusWidget settings={s} connected={connection.data?.configured} />}
        </QueryState>
        <section className="card" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Open alerts</h2>
          <QueryState query={alerts}>{(a) => <AlertsList alerts={a.alerts} />}</QueryState>
        </section>
      </div>
      <section className="card" aria-labelledby="next-days-title">
        <h2 id="next-days-title">Next {DAYS_SHOWN} days</h2>
        <QueryState query={occupancy}>
          {(o) =>
            o.days.length === 0 ? (
              <p className="muted">No occupancy yet: run a sync to fetch it from Newbook.</p>
            ) : (
              <>
                <OccupancyChart days={o.days} />
                <OccupancyTable days={o.days} today={o.today} />
              </>
            )
          }
        </QueryState>
      </section>
    </>
  );
}
