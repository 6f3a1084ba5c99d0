/** Which badge the sync status widget shows. Order matters: the most urgent state wins. */

export type BadgeTone = "green" | "red" | "orange" | "grey" | "amber";

export interface SyncBadge {
  tone: BadgeTone;
  label: string;
}

export interface SyncState {
  is_enabled: boolean;
  last_sync_status: string | null;
  stale: boolean;
}

export function syncBadge(state: SyncState): SyncBadge {
  if (!state.is_enabled) return { tone: "grey", label: "Disabled" };
  if (state.last_sync_status === "running") return { tone: "orange", label: "⟳ Running" };
  if (state.last_sync_status === "failed") return { tone: "red", label: "✗ Sync Failed" };
  if (state.stale) return { tone: "amber", label: "Stale" };
  if (state.last_sync_status === null) return { tone: "grey", label: "Waiting for first sync" };
  // "skipped" means another run held the kitchen (running, or waiting for the budget): nothing went wrong.
  return { tone: "green", label: "✓ Syncing" };
}

/** Colour of a single run's outcome in tables. */
export function runTone(status: string): BadgeTone {
  switch (status) {
    case "success":
      return "green";
    case "failed":
      return "red";
    case "running":
      return "orange";
    case "queued":
      return "amber";
    default:
      return "grey";
  }
}
