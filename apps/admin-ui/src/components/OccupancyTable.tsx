import type { DayFigures } from "@occ/api";
import { changedFigures, describeChange } from "../lib/occupancyDiff";
import { formatLocalDate } from "../lib/time";
import type { DayRow } from "./DayCards";
import { numeric, ScrollTable } from "./ScrollTable";
import { RelativeTime } from "./Time";

const COLUMNS: readonly { field: keyof DayFigures; label: string }[] = [
  { field: "rooms_occupied", label: "Rooms occupied" },
  { field: "guests", label: "Guests" },
  { field: "arrivals", label: "Arrivals" },
  { field: "departures", label: "Departures" },
  { field: "breakfast_covers", label: "Breakfast" },
  { field: "dinner_covers", label: "Dinner" },
];
const FIELDS = COLUMNS.map((c) => c.field);

/**
 * Next days at a glance; cells that changed with the last sync are highlighted and say what they were
 * (as text, so a tap or a screen reader gets it too); days not synced say so.
 */
export function OccupancyTable({
  rows,
  today,
  doubtful,
}: {
  rows: DayRow[];
  today: string;
  doubtful: boolean;
}) {
  return (
    <>
      <ScrollTable
        label="Occupancy by day"
        className={doubtful ? "figures-doubtful" : undefined}
        caption="Occupancy per day; highlighted cells changed with the last sync"
        columns={["Date", ...COLUMNS.map((c) => numeric(c.label, c.field)), "Changed"]}
        testId="occupancy-table"
      >
        <tbody>
          {rows.map(({ date, day }) => {
            if (day === null) {
              return (
                <tr key={date} data-date={date} className="row-not-synced">
                  <th scope="row">{formatLocalDate(date)}</th>
                  <td colSpan={COLUMNS.length + 1} className="not-synced">
                    Not synced: beyond the days Newbook was last asked for
                  </td>
                </tr>
              );
            }
            const changes = changedFigures<keyof DayFigures>(day, day.previous, FIELDS);
            return (
              <tr
                key={day.date}
                data-date={day.date}
                className={day.date === today ? "row-today" : undefined}
              >
                <th scope="row">
                  {formatLocalDate(day.date)}
                  {day.date === today && <span className="muted"> (today)</span>}
                </th>
                {COLUMNS.map(({ field }) => {
                  const change = changes[field];
                  return (
                    <td
                      key={field}
                      data-field={field}
                      className={change ? "num cell-changed" : "num"}
                      title={
                        change ? `Changed since the previous sync: ${describeChange(change)}` : undefined
                      }
                    >
                      {day[field]}
                      {field === "rooms_occupied" && day.rooms_available !== null && (
                        <span className="muted"> / {day.rooms_available}</span>
                      )}
                      {change && <span className="figure-was">was {change.from}</span>}
                    </td>
                  );
                })}
                <td>
                  <RelativeTime iso={day.changed_at} fallback="—" />
                </td>
              </tr>
            );
          })}
        </tbody>
      </ScrollTable>
      {/* Outside the scrolling box, so it stays in view when the table is scrolled sideways. */}
      <p className="legend muted">
        <span className="swatch-changed" aria-hidden="true" /> changed with the last sync (with the figure it
        replaced)
      </p>
    </>
  );
}
