import type { ArrivalDay, ArrivalRow } from "@occ/api";
import { useArrivals } from "../api/kitchenDay";
import { KitchenChips } from "../components/KitchenChips";
import { QueryState } from "../components/QueryState";
import { RequireKitchen } from "../components/RequireKitchen";
import { ScrollTable } from "../components/ScrollTable";
import { asOfLabel, hourLabel, localClock, MEAL_PLAN_LABELS, partyLabel, plural } from "../lib/kitchenDay";
import { formatLocalDate } from "../lib/time";
import { useSession } from "../session";

export function ArrivalsPage() {
  return (
    <div className="page arrivals">
      <h1>Arrivals</h1>
      <RequireKitchen>
        <ArrivalsView />
      </RequireKitchen>
    </div>
  );
}

function ArrivalsView() {
  const arrivals = useArrivals();
  const { timeZone } = useSession();
  return (
    <QueryState query={arrivals}>
      {(a) => (
        <>
          <p className="muted as-of" data-testid="arrivals-as-of">
            {asOfLabel(a.as_of, timeZone)} · updates every 15 s
          </p>
          {a.days.map((day, i) => (
            <ArrivalDaySection key={day.date} day={day} title={i === 0 ? "Today" : "Tomorrow"} />
          ))}
        </>
      )}
    </QueryState>
  );
}

function ArrivalDaySection({ day, title }: { day: ArrivalDay; title: string }) {
  const busiest = Math.max(1, ...day.hours.map((h) => h.guests));
  return (
    <section className="card arrival-day" data-testid={`arrivals-${title.toLowerCase()}`}>
      <div className="card-header">
        <h2>
          {title} · {formatLocalDate(day.date)}
        </h2>
        <p className="muted">
          {plural(day.bookings, "booking")} · {plural(day.guests, "guest")} · {day.arrived} arrived
        </p>
      </div>
      {day.bookings === 0 ? (
        <p className="muted">No arrivals.</p>
      ) : (
        <>
          <ul className="hour-bars" aria-label="Guests arriving per hour">
            {day.hours.map((h) => (
              <li key={h.hour ?? "none"}>
                <span className="hour-bar-label">{hourLabel(h.hour)}</span>
                <span className="hour-bar" style={{ width: `${(h.guests / busiest) * 100}%` }} />
                <span className="hour-bar-count">
                  {h.bookings} bk · {plural(h.guests, "guest")}
                </span>
              </li>
            ))}
          </ul>
          <ScrollTable
            label="Arrivals"
            columns={["ETA", "Room", "Guest", "Party", "Meals", "Arrived", "Kitchen notes"]}
            tableClassName="arrivals-table"
          >
            {day.hours.map((h) => (
              <tbody key={h.hour ?? "none"} data-hour={h.hour ?? "none"}>
                <tr className="hour-row">
                  <th scope="rowgroup" colSpan={7}>
                    {hourLabel(h.hour)} — {plural(h.bookings, "booking")}, {plural(h.guests, "guest")}
                    {h.arrived > 0 && `, ${h.arrived} arrived`}
                  </th>
                </tr>
                {h.arrivals.map((r) => (
                  <ArrivalLine key={r.booking_id} row={r} />
                ))}
              </tbody>
            ))}
          </ScrollTable>
        </>
      )}
    </section>
  );
}

function ArrivalLine({ row }: { row: ArrivalRow }) {
  return (
    <tr data-booking-id={row.booking_id} className={row.arrived ? "arrived" : undefined}>
      <td>{row.eta ?? <span className="muted">no ETA</span>}</td>
      <td>{row.room || <span className="muted">unassigned</span>}</td>
      <td>{row.guest_name ?? <span className="muted">Guest</span>}</td>
      <td>{partyLabel(row)}</td>
      <td>{MEAL_PLAN_LABELS[row.meal_plan]}</td>
      <td>
        {row.arrived ? (
          <span className="badge badge-green">
            {row.checked_in_at ? `In ${localClock(row.checked_in_at)}` : "Arrived"}
          </span>
        ) : (
          <span className="badge badge-grey">Expected</span>
        )}
      </td>
      <td>
        <KitchenChips info={row} />
      </td>
    </tr>
  );
}
