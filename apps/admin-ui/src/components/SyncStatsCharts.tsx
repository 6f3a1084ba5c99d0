import type { SyncStats } from "@occ/api";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { statsPoints } from "../lib/syncStatsSeries";
import { formatClock, formatDateTime } from "../lib/time";
import { useSession } from "../session";

export function SyncStatsCharts({ stats }: { stats: SyncStats }) {
  const { timeZone } = useSession();
  const points = statsPoints(stats.series);
  const tick = (iso: string) =>
    stats.period === "24h" ? formatClock(iso, timeZone) : formatDateTime(iso, timeZone).slice(0, 6);
  const label = (iso: unknown) => (typeof iso === "string" ? formatDateTime(iso, timeZone) : "");
  return (
    <div className="charts-row">
      <figure className="chart">
        <figcaption>Average duration (s)</figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="bucket_start" tickFormatter={tick} tick={{ fontSize: 12 }} minTickGap={24} />
            <YAxis tick={{ fontSize: 12 }} />
            <Tooltip labelFormatter={label} />
            <Line
              dataKey="avg_duration_s"
              name="Avg duration (s)"
              stroke="var(--chart-1)"
              dot={{ r: 3 }}
              connectNulls
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart">
        <figcaption>Runs without failure (%)</figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="bucket_start" tickFormatter={tick} tick={{ fontSize: 12 }} minTickGap={24} />
            <YAxis domain={[0, 100]} tick={{ fontSize: 12 }} />
            <Tooltip labelFormatter={label} />
            <Line
              dataKey="success_rate"
              name="Runs without failure (%)"
              stroke="var(--chart-2)"
              dot={{ r: 3 }}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
