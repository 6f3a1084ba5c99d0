import type { MealSheet, SheetMeal } from "@occ/api";
import { useState } from "react";
import { NavLink, useParams } from "react-router-dom";
import { errorMessage } from "../api/client";
import { downloadSheetCsv, useMealSheet } from "../api/kitchenDay";
import { KitchenChips } from "../components/KitchenChips";
import { QueryState } from "../components/QueryState";
import { RequireKitchen } from "../components/RequireKitchen";
import { numeric, ScrollTable } from "../components/ScrollTable";
import { asOfLabel } from "../lib/kitchenDay";
import { formatLocalDate } from "../lib/time";
import { useSession } from "../session";

const TITLES: Record<SheetMeal, string> = { breakfast: "Breakfast sheet", dinner: "Dinner sheet" };

export function SheetPage() {
  const meal: SheetMeal = useParams().meal === "dinner" ? "dinner" : "breakfast";
  return (
    <div className="page sheet">
      <nav className="button-group no-print" aria-label="Sheets">
        <NavLink to="/sheets/breakfast">Breakfast (tomorrow)</NavLink>
        <NavLink to="/sheets/dinner">Dinner (tonight)</NavLink>
      </nav>
      <RequireKitchen>
        <SheetView meal={meal} />
      </RequireKitchen>
    </div>
  );
}

function SheetView({ meal }: { meal: SheetMeal }) {
  const sheet = useMealSheet(meal);
  return <QueryState query={sheet}>{(s) => <SheetTable sheet={s} />}</QueryState>;
}

function SheetTable({ sheet }: { sheet: MealSheet }) {
  const { kitchen, timeZone } = useSession();
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const { totals } = sheet;
  return (
    <>
      <header className="sheet-header">
        <h1>
          {TITLES[sheet.meal]} · {formatLocalDate(sheet.date)}
        </h1>
        <p className="sheet-meta">
          {kitchen?.name} · <span data-testid="sheet-as-of">{asOfLabel(sheet.as_of, timeZone)}</span> ·{" "}
          {totals.covers} covers ({totals.adults} adults, {totals.children} children
          {totals.infants > 0 && `, ${totals.infants} infants`}) in {totals.rooms} rooms
        </p>
        <div className="button-group no-print">
          <button type="button" onClick={() => window.print()}>
            Print
          </button>
          <button
            type="button"
            onClick={() => {
              setDownloadError(null);
              downloadSheetCsv(sheet.meal, sheet.date).catch((e: unknown) =>
                setDownloadError(errorMessage(e)),
              );
            }}
          >
            Download CSV
          </button>
        </div>
        {downloadError && (
          <p className="status-error no-print" role="alert">
            {downloadError}
          </p>
        )}
      </header>
      {sheet.rows.length === 0 ? (
        <p className="muted">Nobody has {sheet.meal} booked for this date.</p>
      ) : (
        <ScrollTable
          label={`${TITLES[sheet.meal]} rows`}
          tableClassName="sheet-table"
          testId="sheet-table"
          columns={[
            "Room",
            "Names",
            numeric("A"),
            numeric("C"),
            numeric("I"),
            "Dietary · VIP · group · notes",
            { key: "tick", label: "✓", className: "tick" },
          ]}
        >
          <tbody>
            {sheet.rows.map((r) => (
              <tr key={r.booking_id} data-booking-id={r.booking_id}>
                <td className="room">{r.room || "—"}</td>
                <td>{r.names.join(", ") || "Guest"}</td>
                <td className="num">{r.adults}</td>
                <td className="num">{r.children || ""}</td>
                <td className="num">{r.infants || ""}</td>
                <td>
                  <KitchenChips info={r} />
                </td>
                <td className="tick" />
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td>{totals.rooms} rooms</td>
              <td className="num">{totals.adults}</td>
              <td className="num">{totals.children}</td>
              <td className="num">{totals.infants}</td>
              <td colSpan={2}>{totals.covers} covers</td>
            </tr>
          </tfoot>
        </ScrollTable>
      )}
    </>
  );
}
