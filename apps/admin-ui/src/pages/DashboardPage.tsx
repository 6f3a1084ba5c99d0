import type { Occupancy } from "@occ/api";
import { memo, useDeferredValue } from "react";
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

function dayRows(dates: readonly string[], occupancy: Occupancy): DayRow[] {
  const byDate = new Map(occupancy.days.map((day) => [day.date, day]));
  return dates.map((date) => ({
    date,
    day: isSynced(date, occupancy.freshness) ? (byDate.get(date) ?? null) : null,
  }));
}

/**
 * As many days as the kitchen syncs ahead (days_ahead), covers first; days not synced say so. Memoised:
 * the status box, feed and alerts refetching on a sync must not re-render the figures.
 */
const NextDays = memo(function NextDays({ daysAhead }: { daysAhead: number }) {
  const { timeZone } = useSession();
  const today = todayIn(timeZone, useNow(60_000));
  const dates = Array.from({ length: daysAhead }, (_, i) => addDays(today, i));
  const occupancy = useOccupancy(today, dates[dates.length - 1] ?? today);
  // The cards paint a pushed figure first; chart and table follow in a render that yields to the paint.
  const detailed = useDeferredValue(occupancy.data);
  return (
    <section className="card next-days" aria-labelledby="next-days-title">
      <h2 id="next-days-title">
        Next {daysAhead} {daysAhead === 1 ? "day" : "days"}
      </h2>
      <QueryState query={occupancy}>
        {(o) => (
          <>
            <FreshnessBar freshness={o.freshness} />
            <DayCards rows={dayRows(dates, o)} today={o.today} doubtful={isDoubtful(o.freshness)} />
            {detailed && <DayDetails occupancy={detailed} dates={dates.join(",")} />}
          </>
        )}
      </QueryState>
    </section>
  );
});

/** Chart and table of the same days; `dates` comma-joined so an unchanged list keeps the memo. */
const DayDetails = memo(function DayDetails({ occupancy, dates }: { occupancy: Occupancy; dates: string }) {
  const rows = dayRows(dates.split(","), occupancy);
  const synced = rows.flatMap((row) => (row.day ? [row.day] : []));
  const doubtful = isDoubtful(occupancy.freshness);
  return (
    <>
      {synced.length > 0 && <OccupancyChart days={synced} />}
      <OccupancyTable rows={rows} today={occupancy.today} doubtful={doubtful} />
    </>
  );
});
