import type {
  NewbookConnection,
  NewbookConnectionSaved,
  NewbookConnectionTest,
  NewbookConnectionTestResult,
  NewbookConnectionUpdate,
  Region,
  SyncRun,
} from "@occ/api";
import { type FormEvent, useState } from "react";
import { fieldError } from "../../api/client";
import {
  failedTestReason,
  useNewbookConnection,
  useSaveNewbookConnection,
  useTestNewbookConnection,
} from "../../api/connection";
import { isRunFinished, useFollowedSyncRun } from "../../api/frequentSync";
import { REGIONS } from "../../api/types";
import { formatClock } from "../../lib/time";
import { useSession } from "../../session";
import { ErrorNotice } from "../ErrorNotice";
import { describedBy, Field } from "../Field";
import { MutationStatus } from "../MutationStatus";
import { QueryState } from "../QueryState";
import { GlAccountPicker } from "./GlAccountPicker";

export function NewbookConnectionSection() {
  const connection = useNewbookConnection();
  const save = useSaveNewbookConnection();
  const test = useTestNewbookConnection();
  // Whether a connection existed when the last save was sent: its first sync then reads "Connected again".
  const [hadConnection, setHadConnection] = useState(false);
  return (
    <section className="card" aria-labelledby="connection-title">
      <h2 id="connection-title">Newbook connection</h2>
      <QueryState query={connection}>
        {(c) => (
          <>
            <VerificationNote connection={c} />
            {/* Remount after a save so the write-only inputs empty themselves and show "saved". */}
            <ConnectionForm
              key={c.updated_at ?? "new"}
              connection={c}
              save={save}
              test={test}
              onSave={() => setHadConnection(c.configured)}
            />
            {save.data && <AfterSave saved={save.data} reconnect={hadConnection} />}
          </>
        )}
      </QueryState>
    </section>
  );
}

/** Why the kitchen does not sync on its own yet, while its connection has not worked. */
function VerificationNote({ connection }: { connection: NewbookConnection }) {
  if (connection.configured && connection.verified_at !== null) return null;
  return (
    <p className="note" data-testid="connection-untested-note">
      {connection.configured
        ? "Automatic sync is off until this connection passes a test: press Test connection, or save working details."
        : "Automatic sync starts once a connection is saved and Newbook has accepted it."}
    </p>
  );
}

type SaveMutation = ReturnType<typeof useSaveNewbookConnection>;
type TestMutation = ReturnType<typeof useTestNewbookConnection>;

function ConnectionForm({
  connection,
  save,
  test,
  onSave,
}: {
  connection: NewbookConnection;
  save: SaveMutation;
  test: TestMutation;
  onSave: () => void;
}) {
  const { kitchen } = useSession();
  const [region, setRegion] = useState<Region | "">(connection.region ?? connection.suggested_region ?? "");
  const [username, setUsername] = useState(connection.username ?? "");
  const [password, setPassword] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [baseUrl, setBaseUrl] = useState(connection.base_url ?? "");
  const [breakfast, setBreakfast] = useState(connection.breakfast_gl_account_ids);
  const [dinner, setDinner] = useState(connection.dinner_gl_account_ids);
  const accounts = test.data?.ok ? test.data.gl_accounts : [];
  const suggested = !connection.configured && region !== "" && region === connection.suggested_region;

  // Secrets are write-only: an empty input keeps the stored value (for saving and for testing alike).
  const credentials = (): NewbookConnectionTest => ({
    ...(region ? { region } : {}),
    ...(username.trim() ? { username: username.trim() } : {}),
    ...(password ? { password } : {}),
    ...(apiKey ? { api_key: apiKey } : {}),
    ...(baseUrl.trim() ? { base_url: baseUrl.trim() } : {}),
  });
  // Anything typed that Newbook has not seen yet: the API tests it before saving.
  const credentialsChanged =
    !connection.configured ||
    Boolean(password || apiKey) ||
    region !== connection.region ||
    username.trim() !== connection.username ||
    baseUrl.trim() !== connection.base_url;

  const update = (): NewbookConnectionUpdate => ({
    ...credentials(),
    region,
    username: username.trim(),
    breakfast_gl_account_ids: breakfast,
    dinner_gl_account_ids: dinner,
  });
  const send = (body: NewbookConnectionUpdate) => {
    onSave();
    save.mutate(body);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send(update());
  };

  const rejected = failedTestReason(save.error);
  const err = (field: string) => fieldError(save.error, field);

  return (
    <form className="form-stack" onSubmit={submit} noValidate>
      <div className="form-row">
        <Field
          id="nb-region"
          label="Region"
          hint={suggested ? `Suggested from the kitchen's time zone (${kitchen?.timezone}).` : undefined}
          error={err("region")}
        >
          <select
            id="nb-region"
            value={region}
            onChange={(e) => setRegion(e.target.value as Region | "")}
            aria-invalid={err("region") ? true : undefined}
            aria-describedby={describedBy("nb-region", { hint: suggested, error: err("region") })}
          >
            {region === "" && <option value="">Choose…</option>}
            {REGIONS.map((r) => (
              <option key={r} value={r}>
                {r.toUpperCase()}
              </option>
            ))}
          </select>
        </Field>
        <Field id="nb-username" label="Username" error={err("username")}>
          <input
            id="nb-username"
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={err("username") ? true : undefined}
            aria-describedby={describedBy("nb-username", { error: err("username") })}
          />
        </Field>
      </div>
      <div className="form-row">
        <SecretField
          id="nb-password"
          label="Password"
          value={password}
          onChange={setPassword}
          isSet={connection.password_set}
          error={err("password")}
        />
        <SecretField
          id="nb-api-key"
          label="API key"
          value={apiKey}
          onChange={setApiKey}
          isSet={connection.api_key_set}
          error={err("api_key")}
        />
      </div>
      <details className="advanced" open={Boolean(err("base_url"))}>
        <summary>Advanced</summary>
        <Field
          id="nb-base-url"
          label="Base URL"
          hint="Only change this if Newbook gave you a different endpoint."
          error={err("base_url")}
        >
          <input
            id="nb-base-url"
            type="url"
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
            aria-invalid={err("base_url") ? true : undefined}
            aria-describedby={describedBy("nb-base-url", { hint: true, error: err("base_url") })}
          />
        </Field>
      </details>
      <div className="form-row">
        <GlAccountPicker
          id="nb-breakfast-gl"
          label="Breakfast GL accounts"
          accounts={accounts}
          selected={breakfast}
          onChange={setBreakfast}
          error={err("breakfast_gl_account_ids")}
        />
        <GlAccountPicker
          id="nb-dinner-gl"
          label="Dinner GL accounts"
          accounts={accounts}
          selected={dinner}
          onChange={setDinner}
          error={err("dinner_gl_account_ids")}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.isPending}>
          Save connection
        </button>
        <button type="button" onClick={() => test.mutate(credentials())} disabled={test.isPending}>
          {test.isPending ? "Testing…" : "Test connection"}
        </button>
        {rejected === null && (
          <MutationStatus
            mutation={save}
            pending={credentialsChanged ? "Testing the connection with Newbook, then saving…" : "Saving…"}
            testId="connection-save-status"
          />
        )}
      </div>
      {rejected !== null && (
        <div className="confirm-box" role="alert" data-testid="connection-rejected">
          <p>
            <strong>Not saved.</strong> Newbook did not accept these details: {rejected}
          </p>
          <p>
            Save them anyway only if you are sure they are right (for example, Newbook is down right now).
            Automatic sync stays off until a test passes.
          </p>
          <div className="form-actions">
            <button type="button" onClick={() => send({ ...update(), save_if_test_fails: true })}>
              Save anyway
            </button>
            <button type="button" className="button-primary" onClick={() => save.reset()}>
              Keep editing
            </button>
          </div>
        </div>
      )}
      <TestResult
        result={test.data}
        error={test.error}
        pending={test.isPending}
        onRetry={() => test.mutate(credentials())}
      />
    </form>
  );
}

/**
 * What a save led to: the test Newbook answered before it, then the sync it started, followed until it
 * finishes ("Connected again — synced 14:02" in the kitchen's zone).
 */
function AfterSave({ saved, reconnect }: { saved: NewbookConnectionSaved; reconnect: boolean }) {
  const run = useFollowedSyncRun(saved.sync_run_id);
  return (
    <div className="after-save" role="status" aria-live="polite" data-testid="connection-after-save">
      {saved.test?.ok && <p className="status-success">{testPassedText(saved.test)}</p>}
      {saved.test && !saved.test.ok && (
        <p className="status-warning">
          Saved although Newbook did not accept it ({saved.test.reason}). Automatic sync stays off until a
          test passes.
        </p>
      )}
      {saved.message && <p className="muted">{saved.message}</p>}
      {saved.sync_run_id === null && (
        <p className="muted">Saved. Automatic sync is off: use Sync now to fetch the figures.</p>
      )}
      {run.error ? (
        <ErrorNotice
          error={run.error}
          prefix="Saved; the sync's progress is unknown: "
          onRetry={() => void run.refetch()}
        />
      ) : (
        saved.sync_run_id !== null && <SyncOutcome run={run.data} reconnect={reconnect} />
      )}
    </div>
  );
}

function SyncOutcome({ run, reconnect }: { run: SyncRun | undefined; reconnect: boolean }) {
  const { timeZone } = useSession();
  if (!run || !isRunFinished(run)) return <p className="status-pending">Saved — syncing now…</p>;
  if (run.status === "success")
    return (
      <p className="status-success" data-testid="connection-synced">
        {reconnect ? "Connected again" : "Connected"} — synced{" "}
        {formatClock(run.finished_at ?? run.queued_at, timeZone)}
      </p>
    );
  if (run.status === "failed")
    return (
      <p className="status-error" data-testid="connection-sync-failed">
        Saved, but the sync failed: {run.error_message}
      </p>
    );
  return <p className="muted">Saved. Another sync was running; the next one uses these details.</p>;
}

function testPassedText(result: Extract<NewbookConnectionTestResult, { ok: true }>): string {
  return `Newbook accepted the connection: ${result.rooms} rooms, ${result.categories} categories.`;
}

function SecretField({
  id,
  label,
  value,
  onChange,
  isSet,
  error,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  isSet: boolean;
  error: string | undefined;
}) {
  return (
    <Field
      id={id}
      label={
        <>
          {label} {isSet && <span className="tag tag-saved">saved</span>}
        </>
      }
      hint={isSet ? "Stored encrypted; type a new value to replace it." : "Write-only: never shown again."}
      error={error}
    >
      <input
        id={id}
        type="password"
        autoComplete="new-password"
        value={value}
        placeholder={isSet ? "•••••••• (saved)" : ""}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, { hint: true, error })}
      />
    </Field>
  );
}

function TestResult({
  result,
  error,
  pending,
  onRetry,
}: {
  result: NewbookConnectionTestResult | undefined;
  error: unknown;
  pending: boolean;
  onRetry: () => void;
}) {
  let content = null;
  if (pending) content = <span className="status-pending">Contacting Newbook…</span>;
  else if (error) content = <ErrorNotice inline error={error} prefix="Test failed: " onRetry={onRetry} />;
  else if (result?.ok)
    content = (
      <span className="status-success">
        Connected: {result.rooms} rooms, {result.categories} categories, {result.gl_accounts.length} GL
        accounts found.
      </span>
    );
  else if (result) content = <span className="status-error">Connection failed: {result.reason}</span>;
  return (
    <p className="test-result" role="status" aria-live="polite" data-testid="connection-test-result">
      {content}
    </p>
  );
}
