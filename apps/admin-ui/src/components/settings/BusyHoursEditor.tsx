import type { FrequentSyncSettings } from "@occ/api";
import { useState } from "react";
import { ApiError } from "../../api/client";
import { useUpdateFrequentSync } from "../../api/frequentSync";
import { SYNC_INTERVALS } from "../../api/types";
import {
  BUSY_RANGES_MAX,
  type BusyRangeDraft,
  busyHoursOk,
  checkBusyHours,
  inPageWords,
} from "../../lib/syncSettings";
import { useSession } from "../../session";
import { MutationStatus } from "../MutationStatus";

/** The ranges in the order the kitchen's day runs, as the API stores and the status box shows them. */
function sorted(ranges: readonly BusyRangeDraft[]): BusyRangeDraft[] {
  return [...ranges].sort((a, b) => a.start.localeCompare(b.start));
}

const sameRanges = (a: readonly BusyRangeDraft[], b: readonly BusyRangeDraft[]) =>
  JSON.stringify(a) === JSON.stringify(b);

/** What the API said about busy hours (its fields are busy_hours, busy_hours.N.start, busy_interval_minutes). */
function apiBusyErrors(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.details.filter((d) => d.field.startsWith("busy_")).map((d) => inPageWords(d.message));
}

/**
 * Busy hours: ranges of the kitchen's local day in which it syncs at a faster interval (the plan's list),
 * saved together with one request. Outside them the normal interval applies.
 */
export function BusyHoursEditor({ settings }: { settings: FrequentSyncSettings }) {
  const { timeZone } = useSession();
  const update = useUpdateFrequentSync();
  const [ranges, setRanges] = useState<BusyRangeDraft[]>(settings.busy_hours);
  const [interval, setBusyInterval] = useState<number | null>(settings.busy_interval_minutes);
  // Messages appear once the reader tries to save, not while a range is half typed.
  const [checked, setChecked] = useState(false);
  const check = checkBusyHours(ranges, ranges.length > 0 ? interval : null, settings.sync_interval_minutes);
  const dirty =
    !sameRanges(sorted(ranges), sorted(settings.busy_hours)) ||
    (ranges.length > 0 && interval !== settings.busy_interval_minutes);
  const disabled = !settings.is_enabled;

  const setRange = (index: number, patch: Partial<BusyRangeDraft>) =>
    setRanges((current) => current.map((range, i) => (i === index ? { ...range, ...patch } : range)));

  const save = () => {
    setChecked(true);
    if (!busyHoursOk(check)) return;
    const busyHours = sorted(ranges);
    update.mutate(
      { busy_hours: busyHours, busy_interval_minutes: busyHours.length > 0 ? interval : null },
      {
        onSuccess: (saved) => {
          setRanges(saved.busy_hours);
          setBusyInterval(saved.busy_interval_minutes);
          setChecked(false);
        },
      },
    );
  };

  const intervalError = checked ? check.interval : null;
  const serverErrors = apiBusyErrors(update.error);
  return (
    <fieldset className="busy-hours" data-testid="busy-hours-editor" disabled={disabled}>
      <legend>Busy hours</legend>
      <p className="hint" id="busy-hours-hint">
        Sync more often at the busy times of the kitchen's day, in the kitchen's local time ({timeZone}).
        Outside them the sync interval above applies. A range ends before midnight; add a second one for the
        night.
      </p>
      {ranges.length === 0 && <p className="muted">No busy hours: the sync interval applies all day.</p>}
      <ul className="busy-ranges">
        {ranges.map((range, index) => {
          const n = index + 1;
          const error = checked ? check.ranges[index] : null;
          const errorId = `busy-${index}-error`;
          return (
            // Ranges have no id of their own; their position is what the reader sees ("Busy hours 2").
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <li key={index} className={`busy-range${error ? " field-invalid" : ""}`}>
              <span className="busy-range-name">Busy hours {n}</span>
              <label className="busy-time">
                <span>Start</span>
                <input
                  type="time"
                  aria-label={`Busy hours ${n} start`}
                  value={range.start}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? errorId : undefined}
                  onChange={(e) => setRange(index, { start: e.target.value })}
                />
              </label>
              <label className="busy-time">
                <span>End</span>
                <input
                  type="time"
                  aria-label={`Busy hours ${n} end`}
                  value={range.end}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? errorId : undefined}
                  onChange={(e) => setRange(index, { end: e.target.value })}
                />
              </label>
              <button
                type="button"
                onClick={() => setRanges((current) => current.filter((_, i) => i !== index))}
              >
                Remove<span className="visually-hidden"> busy hours {n}</span>
              </button>
              {error && (
                <small id={errorId} className="field-error busy-range-error" role="alert">
                  {error}
                </small>
              )}
            </li>
          );
        })}
      </ul>
      <div className="form-actions">
        <button
          type="button"
          disabled={ranges.length >= BUSY_RANGES_MAX}
          onClick={() => setRanges((current) => [...current, { start: "", end: "" }])}
        >
          Add busy hours
        </button>
      </div>
      {ranges.length > 0 && (
        <div className={`field${intervalError ? " field-invalid" : ""}`}>
          <label htmlFor="busy-interval">Interval during busy hours</label>
          <select
            id="busy-interval"
            value={interval ?? ""}
            aria-invalid={intervalError ? true : undefined}
            aria-describedby={intervalError ? "busy-interval-error" : undefined}
            onChange={(e) => setBusyInterval(e.target.value === "" ? null : Number(e.target.value))}
          >
            <option value="">Choose…</option>
            {SYNC_INTERVALS.map((minutes) => (
              <option key={minutes} value={minutes}>
                Every {minutes} minutes
              </option>
            ))}
          </select>
          {intervalError && (
            <small id="busy-interval-error" className="field-error" role="alert">
              {intervalError}
            </small>
          )}
        </div>
      )}
      {serverErrors.map((message) => (
        <p key={message} className="field-error" role="alert">
          {message}
        </p>
      ))}
      <div className="form-actions">
        <button type="button" className="button-primary" onClick={save} disabled={!dirty}>
          Save busy hours
        </button>
        <MutationStatus mutation={update} testId="busy-hours-save-status" />
      </div>
    </fieldset>
  );
}
