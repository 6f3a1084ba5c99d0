import { type FormEvent, useState } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { useLogin } from "../api/auth";
import { ApiError, errorMessage } from "../api/client";
import { useSession } from "../session";

/** A required sign-in field; the browser's password manager fills it (autocomplete by type). */
function Credential({
  id,
  label,
  type,
  value,
  onChange,
}: {
  id: string;
  label: string;
  type: "email" | "password";
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        autoComplete={type === "email" ? "username" : "current-password"}
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

function loginErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return "Email or password is incorrect.";
    if (error.status === 429) return "Too many attempts. Wait a minute and try again.";
    if (error.status === 403) return "This account has been deactivated. Ask an administrator.";
  }
  return errorMessage(error);
}

export function LoginPage() {
  const session = useSession();
  const login = useLogin(session.markLoggedIn);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [incomplete, setIncomplete] = useState(false);

  const from = (useLocation().state as { from?: string } | null)?.from;
  if (session.loggedIn) return <Navigate to={from?.startsWith("/") ? from : "/"} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setIncomplete(!email.trim() || !password);
    if (!email.trim() || !password) return;
    login.mutate({ email: email.trim(), password });
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">Occupancy Sync</h1>
        {session.expired ? (
          <p className="note" role="status" data-testid="session-expired">
            Your session has expired. Sign in again to go back to where you were.
          </p>
        ) : (
          <p className="muted">Sign in to your kitchen.</p>
        )}
        <Credential id="login-email" label="Email" type="email" value={email} onChange={setEmail} />
        <Credential
          id="login-password"
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
        />
        {incomplete && (
          <p className="error-box" role="alert" data-testid="login-error">
            Enter your email and password.
          </p>
        )}
        {!incomplete && login.isError && (
          <p className="error-box" role="alert" data-testid="login-error">
            {loginErrorText(login.error)}
          </p>
        )}
        <button type="submit" className="button-primary" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
