import type { FrequentSyncSettings } from "@occ/api";
import { useState } from "react";
import { fieldError } from "../../api/client";
import { useFrequentSyncSettings, useUpdateFrequentSync } from "../../api/frequentSync";
import { SYNC_INTERVALS } from "../../api/types";
import { useDebouncedCommit } from "../../hooks/useDebouncedCommit";
import { useTextFieldCommit } from "../../hooks/useTextFieldCommit";
import {
  DAYS_AHEAD_MAX,
  DAYS_AHEAD_MIN,
  inPageWords,
  intervalLabel,
  parseDaysAhead,
  recommendedInterval,
} from "../../lib/syncSettings";
import { describedBy, Field } from "../Field";
import { MutationStatus } from "../MutationStatus";
import { QueryState } from "../QueryState";
import { SyncNowButton } from "../SyncNow";
import { SyncStatusBox } from "../SyncStatusBox";
import { BusyHoursEditor } from "./BusyHoursEditor";
import { ChangeAlertField } from "./ChangeAlertField";

/** How long the interval list waits for the reader to stop arrowing through it before saving. */
const INTERVAL_SETTLE_MS = 700;

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
      <QueryState query={settings}>
        {(s) => (
          <div className="form-stack">
            <FrequentSyncForm settings={s} />
            <BusyHoursEditor settings={s} />
            <ChangeAlertField settings={s} />
            <SyncStatusBox settings={s} />
            <SyncNowButton />
          </div>
        )}
      </QueryState>
    </section>
  );
}

function intervalHint(roomsTotal: number | null, recommended: number | null): string {
  if (recommended === null)
    return "The recommended interval follows the hotel's room count, known after the first sync.";
  return `Recommended for ${roomsTotal} rooms: every ${recommended} minutes (under 10 rooms: 30, 10-25 rooms: 15, more: 10).`;
}

function FrequentSyncForm({ settings }: { settings: FrequentSyncSettings }) {
  const update = useUpdateFrequentSync();
  // The controls show the user's choice at once; the server's answer replaces it when the save ends.
  const [enabledDraft, setEnabledDraft] = useState<boolean | null>(null);
  const [intervalDraft, setIntervalDraft] = useState<number | null>(null);
  const isEnabled = enabledDraft ?? settings.is_enabled;
  const recommended = recommendedInterval(settings.rooms_total);

  const saveInterval = useDebouncedCommit((minutes: number) => {
    if (minutes === settings.sync_interval_minutes) {
      setIntervalDraft(null);
      return;
    }
    update.mutate({ sync_interval_minutes: minutes }, { onSettled: () => setIntervalDraft(null) });
  }, INTERVAL_SETTLE_MS);

  const days = useTextFieldCommit({
    saved: settings.days_ahead,
    parse: parseDaysAhead,
    format: String,
    save: (value, failed) => update.mutate({ days_ahead: value }, { onError: failed }),
  });
  const apiDaysError = fieldError(update.error, "days_ahead");
  const daysError = days.localError ?? (apiDaysError ? inPageWords(apiDaysError) : undefined);
  const apiIntervalError = fieldError(update.error, "sync_interval_minutes");
  const intervalError = apiIntervalError ? inPageWords(apiIntervalError) : undefined;

  return (
    <div className="form-stack">
      <div className="field field-inline">
        <label>
          <input
            type="checkbox"
            checked={isEnabled}
            onChange={(e) => {
              setEnabledDraft(e.target.checked);
              update.mutate({ is_enabled: e.target.checked }, { onSettled: () => setEnabledDraft(null) });
            }}
          />{" "}
          Enable automatic frequent sync
        </label>
      </div>
      <div className="form-row">
        <Field
          id="sync-interval"
          label="Sync Interval"
          hint={intervalHint(settings.rooms_total, recommended)}
          error={intervalError}
        >
          <select
            id="sync-interval"
            value={intervalDraft ?? settings.sync_interval_minutes}
            disabled={!isEnabled}
            aria-describedby={describedBy("sync-interval", { hint: true, error: intervalError })}
            onChange={(e) => {
              const minutes = Number(e.target.value);
              setIntervalDraft(minutes);
              saveInterval.schedule(minutes);
            }}
            onBlur={saveInterval.flush}
          >
            {SYNC_INTERVALS.map((minutes) => (
              <option key={minutes} value={minutes}>
                {intervalLabel(minutes, recommended)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="days-ahead"
          label={`Days Ahead (${DAYS_AHEAD_MIN}-${DAYS_AHEAD_MAX})`}
          hint={`Days after today to sync, ${DAYS_AHEAD_MIN} to ${DAYS_AHEAD_MAX} (default: 7). Saved when you leave the field or press Enter.`}
          error={daysError}
        >
          <input
            id="days-ahead"
            type="text"
            inputMode="numeric"
            autoComplete="off"
            {...days.inputProps}
            disabled={!isEnabled}
            aria-invalid={daysError ? true : undefined}
            aria-describedby={describedBy("days-ahead", { hint: true, error: daysError })}
          />
        </Field>
      </div>
      <div className="form-actions">
        <MutationStatus mutation={update} testId="frequent-sync-save-status" />
        {update.data?.message && <span className="muted">{update.data.message}</span>}
      </div>
    </div>
  );
}
