import type { HistoricalSync } from "@occ/api";
import { type FormEvent, useState } from "react";
import { fieldError } from "../../api/client";
import {
  isSyncActive,
  useHistoricalSyncs,
  useResumeHistoricalSync,
  useStartHistoricalSync,
} from "../../api/historicalSync";
import { useNow } from "../../hooks/useNow";
import { runTone } from "../../lib/syncBadge";
import { addDays, formatLocalDate, todayIn } from "../../lib/time";
import { useSession } from "../../session";
import { Badge } from "../Badge";
import { ErrorNotice } from "../ErrorNotice";
import { describedBy, Field } from "../Field";
import { MutationStatus } from "../MutationStatus";
import { ProgressBar } from "../ProgressBar";
import { QueryState } from "../QueryState";
import { RelativeTime } from "../Time";

function DateField({
  id,
  label,
  value,
  error,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={id} label={label} error={error}>
      <input
        id={id}
        type="date"
        value={value}
        required
        aria-describedby={describedBy(id, { error })}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

/** Manual sync of any date range, as a background job; the kitchen's syncs are listed from the server. */
export function HistoricalSyncSection() {
  const { timeZone } = useSession();
  const today = todayIn(timeZone, useNow(60_000));
  const [dateFrom, setDateFrom] = useState(() => addDays(today, -30));
  const [dateTo, setDateTo] = useState(today);

  const start = useStartHistoricalSync();
  const resume = useResumeHistoricalSync();
  const syncs = useHistoricalSyncs();
  // One at a time per kitchen: the worker's kitchen lock would only make a second one wait.
  const running = syncs.data?.syncs.some(isSyncActive) ?? false;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate({ date_from: dateFrom, date_to: dateTo });
  };
  const fromError = fieldError(start.error, "date_from");
  const toError = fieldError(start.error, "date_to");

  return (
    <section className="card" aria-labelledby="historical-title">
      <h2 id="historical-title">Historical sync</h2>
      <p className="muted">
        Fetch any date range from Newbook, including revenue by GL account. It runs in the background.
      </p>
      <form className="form-row form-row-bottom" onSubmit={submit}>
        <DateField id="hist-from" label="From" value={dateFrom} error={fromError} onChange={setDateFrom} />
        <DateField id="hist-to" label="To" value={dateTo} error={toError} onChange={setDateTo} />
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={start.isPending || running}>
            Start historical sync
          </button>
          {/* Once queued, the list below reports its state. */}
          <MutationStatus mutation={start} pending="Queuing…" success="" />
        </div>
      </form>
      {running && (
        <p className="muted small">A historical sync is in progress; start the next when it ends.</p>
      )}
      <h3>Recent historical syncs</h3>
      <QueryState query={syncs}>
        {(data) =>
          data.syncs.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <ul className="historical-jobs">
              {data.syncs.map((sync) => (
                <HistoricalJob
                  key={sync.run_id}
                  sync={sync}
                  resuming={resume.isPending && resume.variables === sync.job_id}
                  onResume={() => resume.mutate(sync.job_id)}
                />
              ))}
            </ul>
          )
        }
      </QueryState>
      {resume.isError && (
        <ErrorNotice
          error={resume.error}
          onRetry={() => {
            if (resume.variables) resume.mutate(resume.variables);
          }}
        />
      )}
    </section>
  );
}

function HistoricalJob({
  sync,
  resuming,
  onResume,
}: {
  sync: HistoricalSync;
  resuming: boolean;
  onResume: () => void;
}) {
  return (
    <li
      className="historical-job"
      data-testid="historical-job"
      data-state={sync.state}
      data-run-id={sync.run_id}
    >
      <p>
        <strong>
          {formatLocalDate(sync.date_from)} – {formatLocalDate(sync.date_to)}
        </strong>{" "}
        <Badge tone={runTone(sync.state)}>{sync.state}</Badge>
        {sync.retry_of && <span className="muted small"> resumes an earlier sync</span>}
      </p>
      <p className="muted small">
        Started by {sync.requested_by?.email ?? "a removed user"} · <RelativeTime iso={sync.queued_at} />
      </p>
      <ProgressBar
        value={sync.progress.done}
        max={sync.progress.total}
        label="Historical sync progress (days)"
      />
      {sync.error_message && <p className="error-box">{sync.error_message}</p>}
      {sync.state === "failed" &&
        (sync.resumed_by === null ? (
          <button type="button" onClick={onResume} disabled={resuming}>
            {resuming ? "Resuming…" : "Resume"}
          </button>
        ) : (
          <p className="muted small">Resumed.</p>
        ))}
    </li>
  );
}
