import type { ChangeFeedEntry } from "@occ/api";
import { useNow } from "../hooks/useNow";
import { formatClock, formatLocalDate, formatRelative } from "../lib/time";
import { useSession } from "../session";

type Change = ChangeFeedEntry["changes"][number];

const KIND_LABEL: Record<Change["kind"], string> = {
  added: "New",
  cancelled: "Cancelled",
  changed: "Changed",
};
const FIELD_LABEL: Record<Change["fields"][number], string> = {
  dates: "dates",
  room: "room",
  guests: "guests",
  meal_plan: "meal plan",
};

function describeBooking(change: Change): string {
  const stay = change.after ?? change.before;
  const who = change.guest_name ?? "Guest";
  const room = change.room ? `room ${change.room}` : "no room yet";
  const dates = stay ? `${formatLocalDate(stay.arrival)} → ${formatLocalDate(stay.departure)}` : "";
  const fields = change.fields.length > 0 ? ` (${change.fields.map((f) => FIELD_LABEL[f]).join(", ")})` : "";
  return `${who}, ${room}, ${dates}${fields}`;
}

/** What the last syncs changed, newest first, each with its sync time; the bookings behind it on demand. */
export function ChangeFeed({ entries }: { entries: ChangeFeedEntry[] }) {
  const { timeZone } = useSession();
  const now = useNow();
  if (entries.length === 0) {
    return <p className="muted">No booking changes yet: new, changed and cancelled bookings appear here.</p>;
  }
  return (
    <ol className="change-feed" data-testid="change-feed">
      {entries.map((entry) => (
        <li key={entry.run_id} className="change-entry">
          <time dateTime={entry.synced_at} className="change-time">
            {formatClock(entry.synced_at, timeZone)}{" "}
            <span className="muted">({formatRelative(entry.synced_at, now)})</span>
          </time>
          <p className="change-summary">{entry.summary.join(" · ")}</p>
          <details>
            <summary>
              {entry.changes.length} {entry.changes.length === 1 ? "booking" : "bookings"}
            </summary>
            <ul className="change-bookings">
              {entry.changes.map((change) => (
                <li key={change.booking_id}>
                  <span className={`change-mark change-${change.kind}`}>{KIND_LABEL[change.kind]}</span>{" "}
                  {describeBooking(change)}
                </li>
              ))}
            </ul>
          </details>
        </li>
      ))}
    </ol>
  );
}
