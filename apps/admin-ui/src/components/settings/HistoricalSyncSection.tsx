import type { HistoricalSyncStatus } from "@occ/api";
import { type FormEvent, useState } from "react";
import { fieldError } from "../../api/client";
import {
  isJobFinished,
  useHistoricalSyncJob,
  useResumeHistoricalSync,
  useStartHistoricalSync,
} from "../../api/historicalSync";
import { useNow } from "../../hooks/useNow";
import { runTone } from "../../lib/syncBadge";
import { addDays, todayIn } from "../../lib/time";
import { useSession } from "../../session";
import { Badge } from "../Badge";
import { ErrorNotice } from "../ErrorNotice";
import { describedBy, Field } from "../Field";
import { MutationStatus } from "../MutationStatus";
import { ProgressBar } from "../ProgressBar";

const JOB_KEY = "occ.historicalJob";

/** Manual sync of any date range, as a background job followed by a progress bar. */
export function HistoricalSyncSection() {
  const { timeZone } = useSession();
  const today = todayIn(timeZone, useNow(60_000));
  const [dateFrom, setDateFrom] = useState(() => addDays(today, -30));
  const [dateTo, setDateTo] = useState(today);
  // Kept across page visits so leaving Settings does not lose track of a long job.
  const [jobId, setJobIdState] = useState<string | null>(() => sessionStorage.getItem(JOB_KEY));
  const setJobId = (id: string) => {
    sessionStorage.setItem(JOB_KEY, id);
    setJobIdState(id);
  };

  const start = useStartHistoricalSync();
  const resume = useResumeHistoricalSync();
  const job = useHistoricalSyncJob(jobId);
  const running = jobId !== null && job.data !== undefined && !isJobFinished(job.data);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate({ date_from: dateFrom, date_to: dateTo }, { onSuccess: (r) => setJobId(r.job_id) });
  };
  const resumeJob = () => {
    if (job.data) resume.mutate(job.data.job_id, { onSuccess: (r) => setJobId(r.job_id) });
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
        <Field id="hist-from" label="From" error={fromError}>
          <input
            id="hist-from"
            type="date"
            value={dateFrom}
            required
            aria-describedby={describedBy("hist-from", { error: fromError })}
            onChange={(e) => setDateFrom(e.target.value)}
          />
        </Field>
        <Field id="hist-to" label="To" error={toError}>
          <input
            id="hist-to"
            type="date"
            value={dateTo}
            required
            aria-describedby={describedBy("hist-to", { error: toError })}
            onChange={(e) => setDateTo(e.target.value)}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={start.isPending || running}>
            Start historical sync
          </button>
          {/* Once queued, the job panel below reports its state. */}
          <MutationStatus mutation={start} pending="Queuing…" success="" />
        </div>
      </form>
      {jobId && job.error !== null && <ErrorNotice error={job.error} onRetry={() => void job.refetch()} />}
      {job.data && <HistoricalJobProgress job={job.data} resuming={resume.isPending} onResume={resumeJob} />}
      {resume.isError && <ErrorNotice error={resume.error} onRetry={resumeJob} />}
    </section>
  );
}

function HistoricalJobProgress({
  job,
  resuming,
  onResume,
}: {
  job: HistoricalSyncStatus;
  resuming: boolean;
  onResume: () => void;
}) {
  return (
    <div className="historical-job" data-testid="historical-job" data-state={job.state}>
      <p>
        Job <code>{job.job_id}</code> <Badge tone={runTone(job.state)}>{job.state}</Badge>
      </p>
      <ProgressBar
        value={job.progress.done}
        max={job.progress.total}
        label="Historical sync progress (days)"
      />
      {job.error_message && <p className="error-box">{job.error_message}</p>}
      {job.state === "failed" && (
        <button type="button" onClick={onResume} disabled={resuming}>
          {resuming ? "Resuming…" : "Resume"}
        </button>
      )}
    </div>
  );
}
