import type { ResidentStay, Residents } from "@occ/api";
import type { CSSProperties } from "react";
import { useState } from "react";
import { useResidents } from "../api/residents";
import { KitchenChips } from "../components/KitchenChips";
import { QueryState } from "../components/QueryState";
import { RequireKitchen } from "../components/RequireKitchen";
import { guestSummary, staySpan } from "../lib/residentsGrid";
import { addDays, formatLocalDate } from "../lib/time";

export function ResidentsPage() {
  return (
    <div className="page residents">
      <h1>Residents</h1>
      <RequireKitchen>
        <ResidentsView />
      </RequireKitchen>
    </div>
  );
}

function ResidentsView() {
  // "" until the user moves: the API starts at today in the kitchen's zone.
  const [start, setStart] = useState("");
  const residents = useResidents(start);
  const shown = residents.data?.start;
  const move = (days: number) => {
    if (shown) setStart(addDays(shown, days));
  };

  return (
    <>
      <div className="page-header">
        <p className="week-label" aria-live="polite">
          {residents.data && (
            <>
              {formatLocalDate(residents.data.start)} – {formatLocalDate(residents.data.end)}
            </>
          )}
        </p>
        <nav className="button-group" aria-label="Week">
          <button type="button" onClick={() => move(-7)} disabled={!shown}>
            ← Previous week
          </button>
          <button type="button" onClick={() => setStart("")} disabled={start === ""}>
            This week
          </button>
          <button type="button" onClick={() => move(7)} disabled={!shown}>
            Next week →
          </button>
        </nav>
      </div>
      <section className="card">
        <QueryState query={residents}>{(r) => <ResidentsGrid residents={r} />}</QueryState>
        <p className="legend muted">
          A adults · C children · I infants · <span className="mark mark-bb">B</span> breakfast ·{" "}
          <span className="mark mark-dbb">DBB</span> dinner, bed &amp; breakfast
        </p>
      </section>
    </>
  );
}

function ResidentsGrid({ residents }: { residents: Residents }) {
  const { dates, rooms } = residents;
  if (rooms.length === 0) return <p className="muted">No rooms to show yet: run a sync first.</p>;
  const nightsStyle = { "--nights": dates.length } as CSSProperties;
  return (
    <div className="table-scroll">
      <table className="residents-table" data-testid="residents-table">
        <caption className="visually-hidden">Rooms by night; each bar is a stay</caption>
        <colgroup>
          <col className="rg-room-col" />
          {dates.map((d) => (
            <col key={d} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className="rg-head">
              Room
            </th>
            {dates.map((d) => (
              <th scope="col" key={d} className="rg-head">
                {formatLocalDate(d)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rooms.map((room) => (
            <tr key={room.room} data-room={room.room}>
              <th scope="row" className="rg-room">
                {/* Bookings Newbook has not put in a room yet share one row. */}
                {room.room || "Unassigned"}
              </th>
              <td colSpan={dates.length} className="rg-nights-cell">
                <div className="rg-nights" style={nightsStyle}>
                  {room.stays.map((stay) => (
                    <StayBar key={stay.booking_id} stay={stay} dates={dates} />
                  ))}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function StayBar({ stay, dates }: { stay: ResidentStay; dates: string[] }) {
  const span = staySpan(dates, stay.arrival, stay.departure);
  if (!span) return null;
  const guests = guestSummary(stay.adults, stay.children, stay.infants);
  const classes = ["stay", span.continuesBefore && "stay-before", span.continuesAfter && "stay-after"]
    .filter(Boolean)
    .join(" ");
  const title = `${stay.guest_name ?? "Guest"}: ${stay.arrival} → ${stay.departure} (${stay.nights.length} nights), ${guests}${
    stay.is_dbb ? ", DBB" : stay.has_breakfast ? ", breakfast" : ""
  }`;
  return (
    <div
      className={classes}
      style={{ gridColumn: `${span.startColumn + 1} / span ${span.span}` }}
      title={title}
      data-booking-id={stay.booking_id}
    >
      <span className="stay-name">{stay.guest_name ?? "Guest"}</span>
      <span className="stay-guests">{guests}</span>
      {stay.is_dbb ? (
        <span className="mark mark-dbb">DBB</span>
      ) : (
        stay.has_breakfast && <span className="mark mark-bb">B</span>
      )}
      <KitchenChips info={stay} />
    </div>
  );
}
