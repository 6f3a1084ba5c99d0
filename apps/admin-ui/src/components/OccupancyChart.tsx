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
          <Bar
            dataKey="rooms_occupied"
            name="Rooms occupied"
            fill="var(--chart-1)"
            isAnimationActive={false}
          />
          <Bar dataKey="guests" name="Guests" fill="var(--chart-2)" isAnimationActive={false} />
          <Line
            dataKey="breakfast_covers"
            name="Breakfast"
            stroke="var(--chart-3)"
            isAnimationActive={false}
          />
          <Line dataKey="dinner_covers" name="Dinner" stroke="var(--chart-4)" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
