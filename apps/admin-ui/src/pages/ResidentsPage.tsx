import type { ResidentStay, Residents } from "@occ/api";
import type { CSSProperties } from "react";
import { useState } from "react";
import { useResidents } from "../api/residents";
import { FreshnessBar } from "../components/Freshness";
import { KitchenChips } from "../components/KitchenChips";
import { QueryState } from "../components/QueryState";
import { RequireKitchen } from "../components/RequireKitchen";
import { ScrollTable } from "../components/ScrollTable";
import { isDoubtful, isSynced } from "../lib/freshness";
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
        <QueryState query={residents}>
          {(r) => (
            <>
              <FreshnessBar freshness={r.freshness} />
              <ResidentsGrid residents={r} />
            </>
          )}
        </QueryState>
        <p className="legend muted">
          A adults · C children · I infants · <span className="mark mark-bb">B</span> breakfast ·{" "}
          <span className="mark mark-dbb">DBB</span> dinner, bed &amp; breakfast ·{" "}
          <span className="change-mark change-new">New</span>{" "}
          <span className="change-mark change-changed">Changed</span>{" "}
          <span className="change-mark change-cancelled">Cancelled</span> by a sync in the last 24 hours · tap
          a stay for its details
        </p>
      </section>
    </>
  );
}

function ResidentsGrid({ residents }: { residents: Residents }) {
  const { dates, rooms, freshness } = residents;
  const [selected, setSelected] = useState<string | null>(null);
  if (rooms.length === 0) return <p className="muted">No rooms to show yet: run a sync first.</p>;
  const nightsStyle = { "--nights": dates.length } as CSSProperties;
  // Nights after the last synced day were never fetched: shaded, and said in the header.
  const firstUnsynced = dates.findIndex((date) => !isSynced(date, freshness));
  const selectedStay = rooms.flatMap((r) => r.stays).find((stay) => stay.booking_id === selected) ?? null;
  return (
    <>
      <ScrollTable
        label="Residents by room and night"
        className={isDoubtful(freshness) ? "rg-scroll figures-doubtful" : "rg-scroll"}
        tableClassName="residents-table"
        testId="residents-table"
        caption="Rooms by night; each bar is a stay"
      >
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
            {dates.map((d) =>
              isSynced(d, freshness) ? (
                <th scope="col" key={d} className="rg-head">
                  {formatLocalDate(d)}
                </th>
              ) : (
                <th scope="col" key={d} className="rg-head rg-not-synced" data-not-synced="true">
                  {formatLocalDate(d)}
                  <span className="not-synced"> not synced</span>
                </th>
              ),
            )}
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
                  {firstUnsynced >= 0 && (
                    <div
                      className="rg-unsynced"
                      style={{ left: `${(firstUnsynced / dates.length) * 100}%` }}
                      aria-hidden="true"
                    />
                  )}
                  {room.stays.map((stay) => (
                    <StayBar
                      key={stay.booking_id}
                      stay={stay}
                      dates={dates}
                      open={stay.booking_id === selected}
                      onToggle={() => setSelected(stay.booking_id === selected ? null : stay.booking_id)}
                    />
                  ))}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      {selectedStay && (
        <p className="stay-details" role="status" data-testid="stay-details">
          {stayDescription(selectedStay)}
        </p>
      )}
    </>
  );
}

const CHANGE_LABEL = { new: "New", changed: "Changed", cancelled: "Cancelled" } as const;

/** Everything known about a stay, as one sentence: the details once shown only on hover. */
function stayDescription(stay: ResidentStay): string {
  const guests = guestSummary(stay.adults, stay.children, stay.infants);
  const meals = stay.is_dbb ? ", dinner, bed & breakfast" : stay.has_breakfast ? ", breakfast" : "";
  const change = stay.change
    ? ` — ${CHANGE_LABEL[stay.change]}${stay.changed_fields.length > 0 ? ` (${stay.changed_fields.join(", ").replace("_", " ")})` : ""} in the last 24 hours`
    : "";
  return `${stay.guest_name ?? "Guest"}: ${formatLocalDate(stay.arrival)} → ${formatLocalDate(stay.departure)} (${stay.nights.length} ${stay.nights.length === 1 ? "night" : "nights"} shown), ${guests}${meals}${change}`;
}

function StayBar({
  stay,
  dates,
  open,
  onToggle,
}: {
  stay: ResidentStay;
  dates: string[];
  open: boolean;
  onToggle: () => void;
}) {
  const span = staySpan(dates, stay.arrival, stay.departure);
  if (!span) return null;
  const guests = guestSummary(stay.adults, stay.children, stay.infants);
  const classes = [
    "stay",
    span.continuesBefore && "stay-before",
    span.continuesAfter && "stay-after",
    stay.change && `stay-${stay.change}`,
  ]
    .filter(Boolean)
    .join(" ");
  // A button, so the details are a tap or Enter away, not only a hover.
  return (
    <button
      type="button"
      className={classes}
      style={{ gridColumn: `${span.startColumn + 1} / span ${span.span}` }}
      title={stayDescription(stay)}
      aria-expanded={open}
      onClick={onToggle}
      data-booking-id={stay.booking_id}
      data-change={stay.change ?? undefined}
    >
      {stay.change && (
        <span className={`change-mark change-${stay.change}`}>{CHANGE_LABEL[stay.change]}</span>
      )}
      <span className="stay-name">{stay.guest_name ?? "Guest"}</span>
      <span className="stay-guests">{guests}</span>
      {stay.is_dbb ? (
        <span className="mark mark-dbb">DBB</span>
      ) : (
        stay.has_breakfast && <span className="mark mark-bb">B</span>
      )}
      <KitchenChips info={stay} />
    </button>
  );
}
