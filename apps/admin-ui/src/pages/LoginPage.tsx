import { type FormEvent, useState } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { useLogin } from "../api/auth";
import { ApiError, errorMessage } from "../api/client";
import { useSession } from "../session";

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
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input
            id="login-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
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
