import type { OccupancyDay } from "@occ/api";
import { changedFigures } from "../lib/occupancyDiff";
import { formatLocalDate } from "../lib/time";

export interface DayRow {
  date: string;
  /** Null when the date has not been synced (beyond the window, or never fetched). */
  day: OccupancyDay | null;
}

const FIGURES = [
  { field: "breakfast_covers", label: "Breakfast" },
  { field: "dinner_covers", label: "Dinner" },
  { field: "guests", label: "Guests" },
] as const;

function dayLabel(date: string, today: string): string {
  return date === today ? `Today · ${formatLocalDate(date)}` : formatLocalDate(date);
}

/**
 * The covers first: one card per day with breakfast, dinner and guests, readable on a phone without
 * scrolling sideways. A figure the last sync changed says what it was, in plain text (no hover needed).
 */
export function DayCards({ rows, today, doubtful }: { rows: DayRow[]; today: string; doubtful: boolean }) {
  return (
    <ol className={doubtful ? "day-cards figures-doubtful" : "day-cards"} data-testid="day-cards">
      {rows.map(({ date, day }) => (
        <li
          key={date}
          className={date === today ? "day-card day-today" : "day-card"}
          data-date={date}
          data-synced={day !== null}
        >
          <h3 className="day-card-date">{dayLabel(date, today)}</h3>
          {day === null ? (
            <p className="not-synced">Not synced</p>
          ) : (
            <>
              <dl className="day-card-figures">
                {FIGURES.map(({ field, label }) => {
                  const change = changedFigures(day, day.previous, [field])[field];
                  return (
                    <div
                      key={field}
                      className={change ? "figure figure-changed" : "figure"}
                      data-field={field}
                    >
                      <dt>{label}</dt>
                      <dd>
                        <span className="figure-value">{day[field]}</span>
                        {change && <span className="figure-was">was {change.from}</span>}
                      </dd>
                    </div>
                  );
                })}
              </dl>
              <p className="day-card-moves muted">
                {day.arrivals} in · {day.departures} out · {day.rooms_occupied}
                {day.rooms_available !== null && `/${day.rooms_available}`} rooms
              </p>
            </>
          )}
        </li>
      ))}
    </ol>
  );
}
