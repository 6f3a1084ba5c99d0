import type { ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { ErrorNotice } from "./components/ErrorNotice";
import { Layout } from "./components/Layout";
import { AdminPage } from "./pages/AdminPage";
import { ArrivalsPage } from "./pages/ArrivalsPage";
import { DashboardPage } from "./pages/DashboardPage";
import { LoginPage } from "./pages/LoginPage";
import { OpenQueuesPage } from "./pages/OpenQueuesPage";
import { OpsPage } from "./pages/OpsPage";
import { ResidentsPage } from "./pages/ResidentsPage";
import { SettingsPage } from "./pages/SettingsPage";
import { SheetPage } from "./pages/SheetPage";
import { SyncHistoryPage } from "./pages/SyncHistoryPage";
import { useSession } from "./session";

function RequireLogin({ children }: { children: ReactNode }) {
  const { loggedIn, me, meError, logout, refetchMe } = useSession();
  const location = useLocation();
  // After signing in, the user lands where they were going or were when the session expired (with the
  // page's query, e.g. the history filter).
  if (!loggedIn)
    return (
      <Navigate
        to="/login"
        replace
        state={{ from: `${location.pathname}${location.search}${location.hash}` }}
      />
    );
  if (meError) {
    return (
      <main className="login">
        <div className="card login-card">
          <ErrorNotice error={meError} onRetry={() => void refetchMe()} />
          <button type="button" onClick={logout}>
            Back to sign in
          </button>
        </div>
      </main>
    );
  }
  if (!me) return <p className="muted page-loading">Loading…</p>;
  return <>{children}</>;
}

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          element={
            <RequireLogin>
              <Layout />
            </RequireLogin>
          }
        >
          <Route index element={<DashboardPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="residents" element={<ResidentsPage />} />
          <Route path="arrivals" element={<ArrivalsPage />} />
          <Route path="sheets/:meal" element={<SheetPage />} />
          <Route path="history" element={<SyncHistoryPage />} />
          <Route path="ops" element={<OpsPage />} />
          <Route path="admin" element={<AdminPage />} />
          <Route path="open-queues" element={<OpenQueuesPage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
