import type { FrequentSyncSettings } from "@occ/api";
import { type KeyboardEvent, useState } from "react";
import { fieldError } from "../../api/client";
import { useFrequentSyncSettings, useUpdateFrequentSync } from "../../api/frequentSync";
import { SYNC_INTERVALS } from "../../api/types";
import { describedBy, Field } from "../Field";
import { MutationStatus } from "../MutationStatus";
import { QueryState } from "../QueryState";
import { SyncNowButton } from "../SyncNow";
import { SyncStatusBox } from "../SyncStatusBox";

const RECOMMENDED_INTERVAL = 15;

function intervalLabel(minutes: number): string {
  return `Every ${minutes} minutes${minutes === RECOMMENDED_INTERVAL ? " (Recommended)" : ""}`;
}

/** "Newbook Frequent Updates" as in the original plan: toggle, interval, days ahead, status box. */
export function FrequentSyncSection() {
  const settings = useFrequentSyncSettings();
  return (
    <section className="card" aria-labelledby="frequent-title">
      <h2 id="frequent-title">Newbook Frequent Updates</h2>
      <p className="muted">
        Automatically sync hotel occupancy for the next days at regular intervals, so the dashboard and the
        residents view pick up last-minute bookings.
      </p>
      <QueryState query={settings}>{(s) => <FrequentSyncForm settings={s} />}</QueryState>
    </section>
  );
}

function FrequentSyncForm({ settings }: { settings: FrequentSyncSettings }) {
  const update = useUpdateFrequentSync();
  // The controls show the user's choice at once; the server's answer replaces it when the save ends.
  const [enabledDraft, setEnabledDraft] = useState<boolean | null>(null);
  const [intervalDraft, setIntervalDraft] = useState<number | null>(null);
  // mutate()'s own callbacks run for the latest call only: it clears both drafts when the last save ends.
  const clearDrafts = () => {
    setEnabledDraft(null);
    setIntervalDraft(null);
  };
  const isEnabled = enabledDraft ?? settings.is_enabled;
  const [daysAhead, setDaysAhead] = useState(String(settings.days_ahead));
  const daysError = fieldError(update.error, "days_ahead");
  const intervalError = fieldError(update.error, "sync_interval_minutes");

  const commitDaysAhead = () => {
    const value = Number(daysAhead);
    if (daysAhead.trim() === "" || value === settings.days_ahead) return;
    update.mutate({ days_ahead: value });
  };
  const onDaysKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      commitDaysAhead();
    }
  };

  return (
    <div className="form-stack">
      <div className="field field-inline">
        <label>
          <input
            type="checkbox"
            checked={isEnabled}
            onChange={(e) => {
              setEnabledDraft(e.target.checked);
              update.mutate({ is_enabled: e.target.checked }, { onSettled: clearDrafts });
            }}
          />{" "}
          Enable automatic frequent sync
        </label>
      </div>
      <div className="form-row">
        <Field id="sync-interval" label="Sync Interval" error={intervalError}>
          <select
            id="sync-interval"
            value={intervalDraft ?? settings.sync_interval_minutes}
            disabled={!isEnabled}
            aria-describedby={describedBy("sync-interval", { error: intervalError })}
            onChange={(e) => {
              setIntervalDraft(Number(e.target.value));
              update.mutate({ sync_interval_minutes: Number(e.target.value) }, { onSettled: clearDrafts });
            }}
          >
            {SYNC_INTERVALS.map((minutes) => (
              <option key={minutes} value={minutes}>
                {intervalLabel(minutes)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="days-ahead"
          label="Days Ahead"
          hint="Number of days to sync ahead (default: 7). Saved when you leave the field or press Enter."
          error={daysError}
        >
          <input
            id="days-ahead"
            type="number"
            min={1}
            max={30}
            step={1}
            inputMode="numeric"
            value={daysAhead}
            disabled={!isEnabled}
            aria-invalid={daysError ? true : undefined}
            aria-describedby={describedBy("days-ahead", { hint: true, error: daysError })}
            onChange={(e) => setDaysAhead(e.target.value)}
            onBlur={commitDaysAhead}
            onKeyDown={onDaysKey}
          />
        </Field>
      </div>
      <div className="form-actions">
        <MutationStatus mutation={update} testId="frequent-sync-save-status" />
        {update.data?.message && <span className="muted">{update.data.message}</span>}
      </div>
      <SyncStatusBox settings={settings} />
      <SyncNowButton />
    </div>
  );
}
