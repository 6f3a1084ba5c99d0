import { useAlerts } from "../api/alerts";
import { useChangeFeed } from "../api/changes";
import { useNewbookConnection } from "../api/connection";
import { useFrequentSyncSettings } from "../api/frequentSync";
import { useOccupancy } from "../api/occupancy";
import { AlertsList } from "../components/AlertsList";
import { ChangeFeed } from "../components/ChangeFeed";
import { DayCards, type DayRow } from "../components/DayCards";
import { FreshnessBar } from "../components/Freshness";
import { OccupancyChart } from "../components/OccupancyChart";
import { OccupancyTable } from "../components/OccupancyTable";
import { QueryState } from "../components/QueryState";
import { RequireKitchen } from "../components/RequireKitchen";
import { SyncStatusWidget } from "../components/SyncStatusWidget";
import { useNow } from "../hooks/useNow";
import { isDoubtful, isSynced } from "../lib/freshness";
import { addDays, todayIn } from "../lib/time";
import { useSession } from "../session";

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
  const settings = useFrequentSyncSettings();
  const alerts = useAlerts("open");
  const connection = useNewbookConnection();
  const changes = useChangeFeed();

  return (
    <>
      <QueryState query={settings}>{(s) => <NextDays daysAhead={s.days_ahead} />}</QueryState>
      <div className="dashboard-top">
        <section className="card" aria-labelledby="changes-title">
          <h2 id="changes-title">What changed</h2>
          <QueryState query={changes}>{(c) => <ChangeFeed entries={c.entries} />}</QueryState>
        </section>
        <QueryState query={settings}>
          {(s) => <SyncStatusWidget settings={s} connected={connection.data?.configured} />}
        </QueryState>
        <section className="card" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Open alerts</h2>
          <QueryState query={alerts}>{(a) => <AlertsList alerts={a.alerts} />}</QueryState>
        </section>
      </div>
    </>
  );
}

/** As many days as the kitchen syncs ahead (days_ahead), covers first; days not synced say so. */
function NextDays({ daysAhead }: { daysAhead: number }) {
  const { timeZone } = useSession();
  const today = todayIn(timeZone, useNow(60_000));
  const dates = Array.from({ length: daysAhead }, (_, i) => addDays(today, i));
  const occupancy = useOccupancy(today, dates[dates.length - 1] ?? today);
  return (
    <section className="card next-days" aria-labelledby="next-days-title">
      <h2 id="next-days-title">
        Next {daysAhead} {daysAhead === 1 ? "day" : "days"}
      </h2>
      <QueryState query={occupancy}>
        {(o) => {
          const byDate = new Map(o.days.map((day) => [day.date, day]));
          const rows: DayRow[] = dates.map((date) => ({
            date,
            day: isSynced(date, o.freshness) ? (byDate.get(date) ?? null) : null,
          }));
          const synced = rows.flatMap((row) => (row.day ? [row.day] : []));
          const doubtful = isDoubtful(o.freshness);
          return (
            <>
              <FreshnessBar freshness={o.freshness} />
              <DayCards rows={rows} today={o.today} doubtful={doubtful} />
              {synced.length > 0 && <OccupancyChart days={synced} />}
              <OccupancyTable rows={rows} today={o.today} doubtful={doubtful} />
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
