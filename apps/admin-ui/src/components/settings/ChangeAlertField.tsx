import type { FrequentSyncSettings } from "@occ/api";
import { fieldError } from "../../api/client";
import { useUpdateFrequentSync } from "../../api/frequentSync";
import { useTextFieldCommit } from "../../hooks/useTextFieldCommit";
import { inPageWords, parseChangeAlertMin } from "../../lib/syncSettings";
import { describedBy, Field } from "../Field";
import { MutationStatus } from "../MutationStatus";

/**
 * The change webhook's threshold for this kitchen (change_webhook_min_bookings): how many bookings must
 * change for its today or tomorrow in one sync before the operator's webhook hears of it; empty: never.
 * Saved like Days Ahead, when the field is left or Enter is pressed.
 */
export function ChangeAlertField({ settings }: { settings: FrequentSyncSettings }) {
  const update = useUpdateFrequentSync();
  const field = useTextFieldCommit({
    saved: settings.change_webhook_min_bookings,
    parse: parseChangeAlertMin,
    format: (value) => (value === null ? "" : String(value)),
    save: (value, failed) => update.mutate({ change_webhook_min_bookings: value }, { onError: failed }),
  });
  const apiError = fieldError(update.error, "change_webhook_min_bookings");
  const error = field.localError ?? (apiError ? inPageWords(apiError) : undefined);

  return (
    <div className="form-stack">
      <div className="form-row form-row-half">
        <Field
          id="change-alert-min"
          label="Change alert (bookings)"
          hint="When the operator has set up a change webhook (Slack, say): post a message after a sync in which at least this many bookings changed for today or tomorrow. Empty: never for this kitchen. Saved when you leave the field or press Enter."
          error={error}
        >
          <input
            id="change-alert-min"
            type="text"
            inputMode="numeric"
            autoComplete="off"
            placeholder="never"
            {...field.inputProps}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy("change-alert-min", { hint: true, error })}
          />
        </Field>
      </div>
      <div className="form-actions">
        <MutationStatus mutation={update} testId="change-alert-save-status" />
      </div>
    </div>
  );
}
