import type { OccupancyDay } from "@occ/api";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatLocalDate } from "../lib/time";

type Series = readonly [keyof OccupancyDay, string, string];
const BARS: Series[] = [
  ["rooms_occupied", "Rooms occupied", "var(--chart-1)"],
  ["guests", "Guests", "var(--chart-2)"],
];
const LINES: Series[] = [
  ["breakfast_covers", "Breakfast", "var(--chart-3)"],
  ["dinner_covers", "Dinner", "var(--chart-4)"],
];

export function OccupancyChart({ days }: { days: OccupancyDay[] }) {
  const data = days.map((d) => ({ ...d, label: formatLocalDate(d.date) }));
  return (
    <figure className="chart" aria-label="Occupancy for the next days">
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
          <Tooltip />
          <Legend />
          {BARS.map(([dataKey, name, color]) => (
            <Bar key={dataKey} dataKey={dataKey} name={name} fill={color} isAnimationActive={false} />
          ))}
          {LINES.map(([dataKey, name, color]) => (
            <Line key={dataKey} dataKey={dataKey} name={name} stroke={color} isAnimationActive={false} />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
