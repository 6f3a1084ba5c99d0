import type {
  NewbookConnection,
  NewbookConnectionTest,
  NewbookConnectionTestResult,
  NewbookConnectionUpdate,
  Region,
} from "@occ/api";
import { type FormEvent, useState } from "react";
import { errorMessage, fieldError } from "../../api/client";
import {
  useNewbookConnection,
  useSaveNewbookConnection,
  useTestNewbookConnection,
} from "../../api/connection";
import { REGIONS } from "../../api/types";
import { describedBy, Field } from "../Field";
import { MutationStatus } from "../MutationStatus";
import { QueryState } from "../QueryState";
import { GlAccountPicker } from "./GlAccountPicker";

export function NewbookConnectionSection() {
  const connection = useNewbookConnection();
  const save = useSaveNewbookConnection();
  const test = useTestNewbookConnection();
  return (
    <section className="card" aria-labelledby="connection-title">
      <h2 id="connection-title">Newbook connection</h2>
      <QueryState query={connection}>
        {(c) => (
          // Remount after a save so the write-only inputs empty themselves and show "saved".
          <ConnectionForm key={c.updated_at ?? "new"} connection={c} save={save} test={test} />
        )}
      </QueryState>
    </section>
  );
}

type SaveMutation = ReturnType<typeof useSaveNewbookConnection>;
type TestMutation = ReturnType<typeof useTestNewbookConnection>;

function ConnectionForm({
  connection,
  save,
  test,
}: {
  connection: NewbookConnection;
  save: SaveMutation;
  test: TestMutation;
}) {
  const [region, setRegion] = useState<Region>(connection.region ?? "au");
  const [username, setUsername] = useState(connection.username ?? "");
  const [password, setPassword] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [baseUrl, setBaseUrl] = useState(connection.base_url ?? "");
  const [breakfast, setBreakfast] = useState(connection.breakfast_gl_account_ids);
  const [dinner, setDinner] = useState(connection.dinner_gl_account_ids);
  const accounts = test.data?.ok ? test.data.gl_accounts : [];

  // Secrets are write-only: an empty input keeps the stored value (for saving and for testing alike).
  const credentials = (): NewbookConnectionTest => ({
    region,
    ...(username.trim() ? { username: username.trim() } : {}),
    ...(password ? { password } : {}),
    ...(apiKey ? { api_key: apiKey } : {}),
    ...(baseUrl.trim() ? { base_url: baseUrl.trim() } : {}),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const update: NewbookConnectionUpdate = {
      ...credentials(),
      region,
      username: username.trim(),
      breakfast_gl_account_ids: breakfast,
      dinner_gl_account_ids: dinner,
    };
    save.mutate(update);
  };

  const err = (field: string) => fieldError(save.error, field);

  return (
    <form className="form-stack" onSubmit={submit} noValidate>
      <div className="form-row">
        <Field id="nb-region" label="Region" error={err("region")}>
          <select
            id="nb-region"
            value={region}
            onChange={(e) => setRegion(e.target.value as Region)}
            aria-describedby={describedBy("nb-region", { error: err("region") })}
          >
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
        <MutationStatus mutation={save} />
        {save.data?.message && <span className="muted">{save.data.message}</span>}
      </div>
      <TestResult result={test.data} error={test.error} pending={test.isPending} />
    </form>
  );
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
}: {
  result: NewbookConnectionTestResult | undefined;
  error: unknown;
  pending: boolean;
}) {
  let content = null;
  if (pending) content = <span className="status-pending">Contacting Newbook…</span>;
  else if (error) content = <span className="status-error">Test failed: {errorMessage(error)}</span>;
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
