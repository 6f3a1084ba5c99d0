import { NavLink, Outlet } from "react-router-dom";
import { LiveUpdates } from "../api/live";
import { useSession } from "../session";

export function Layout() {
  const { me, kitchen, isAdmin, kitchens, chooseKitchen, logout } = useSession();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-name">Occupancy Sync</span>
          {kitchen && (
            <span className="kitchen" data-testid="kitchen-name">
              {kitchen.name} <span className="muted">· {kitchen.timezone}</span>
            </span>
          )}
        </div>
        <nav className="app-nav" aria-label="Main">
          <NavLink to="/" end>
            Dashboard
          </NavLink>
          <NavLink to="/residents">Residents</NavLink>
          <NavLink to="/arrivals">Arrivals</NavLink>
          <NavLink to="/sheets/breakfast">Sheets</NavLink>
          <NavLink to="/history">Sync history</NavLink>
          <NavLink to="/settings">Settings</NavLink>
          {isAdmin && <NavLink to="/ops">Ops</NavLink>}
          {isAdmin && <NavLink to="/admin">Kitchens &amp; users</NavLink>}
        </nav>
        <div className="account">
          {isAdmin && (
            <label className="kitchen-picker">
              <span className="visually-hidden">Kitchen</span>
              <select
                value={kitchen?.id ?? ""}
                onChange={(e) => chooseKitchen(e.target.value === "" ? null : Number(e.target.value))}
              >
                <option value="">Choose a kitchen…</option>
                {kitchens.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <span className="muted user-email">{me?.user.email}</span>
          <button type="button" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <LiveUpdates kitchenId={kitchen?.id ?? null}>
          <Outlet />
        </LiveUpdates>
      </main>
    </div>
  );
}
