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
  const chart = (props: Omit<TrendChartProps, "points" | "tick" | "label">) => (
    <TrendChart points={points} tick={tick} label={label} {...props} />
  );
  return (
    <div className="charts-row">
      {chart({
        caption: "Average duration (s)",
        dataKey: "avg_duration_s",
        color: "var(--chart-1)",
        connectNulls: true,
      })}
      {chart({
        caption: "Runs without failure (%)",
        dataKey: "success_rate",
        color: "var(--chart-2)",
        domain: [0, 100],
      })}
    </div>
  );
}

interface TrendChartProps {
  points: ReturnType<typeof statsPoints>;
  caption: string;
  dataKey: "avg_duration_s" | "success_rate";
  color: string;
  tick: (iso: string) => string;
  label: (iso: unknown) => string;
  domain?: [number, number];
  /** Draw across buckets without a value (no runs) instead of breaking the line. */
  connectNulls?: boolean;
}

/** One figure over the period's buckets, captioned. */
function TrendChart({ points, caption, dataKey, color, tick, label, domain, connectNulls }: TrendChartProps) {
  return (
    <figure className="chart">
      <figcaption>{caption}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="bucket_start" tickFormatter={tick} tick={{ fontSize: 12 }} minTickGap={24} />
          <YAxis domain={domain} tick={{ fontSize: 12 }} />
          <Tooltip labelFormatter={label} />
          <Line
            dataKey={dataKey}
            name={caption}
            stroke={color}
            dot={{ r: 3 }}
            connectNulls={connectNulls}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
