/** Pure alerting rules: what a finished run or the passage of time means for a kitchen's alerts. */

export type AlertKind = "consecutive_failures" | "credentials_rejected" | "stale" | "slow_sync";
export type AlertSeverity = "critical" | "warning";

export const ALERT_SEVERITY: Record<AlertKind, AlertSeverity> = {
  consecutive_failures: "critical",
  credentials_rejected: "critical",
  stale: "warning",
  slow_sync: "warning",
};

export interface AlertThresholds {
  /** Consecutive failed runs that open the critical alert (ALERT_FAILURE_THRESHOLD). */
  failureThreshold: number;
  /** A run longer than this raises the slow-sync warning (SLOW_SYNC_MS). */
  slowSyncMs: number;
}

export type AlertChange = { action: "open"; kind: AlertKind } | { action: "resolve"; kind: AlertKind };

export type FinishedRun =
  | { outcome: "success"; durationMs: number }
  | { outcome: "failed"; durationMs: number; consecutiveFailures: number; errorCode?: string };

/** Error code of a run Newbook refused to log in for (see describeSyncError). */
export const CREDENTIALS_REJECTED_ERROR = "newbook_auth";

/** Alert changes implied by a run that has finished for good (retries spent, or succeeded). */
export function alertChangesForRun(run: FinishedRun, thresholds: AlertThresholds): AlertChange[] {
  const changes: AlertChange[] = [];
  if (run.outcome === "success") {
    changes.push(
      { action: "resolve", kind: "consecutive_failures" },
      { action: "resolve", kind: "credentials_rejected" },
      { action: "resolve", kind: "stale" },
    );
  } else if (run.errorCode === CREDENTIALS_REJECTED_ERROR) {
    // Not an outage: only someone with the right password can fix it, so they hear at the first failure.
    changes.push({ action: "open", kind: "credentials_rejected" });
  } else if (run.consecutiveFailures >= thresholds.failureThreshold) {
    changes.push({ action: "open", kind: "consecutive_failures" });
  }
  // Only a completed run says anything about normal duration; a quick failure is not "back to normal".
  if (run.durationMs > thresholds.slowSyncMs) changes.push({ action: "open", kind: "slow_sync" });
  else if (run.outcome === "success") changes.push({ action: "resolve", kind: "slow_sync" });
  return changes;
}

export interface StalenessInput {
  isEnabled: boolean;
  syncIntervalMinutes: number;
  lastSuccessAt: Date | null;
  /** When the settings row was created: a kitchen that never synced is judged from then. */
  since: Date;
  /** Only a kitchen that can sync can be behind: without a Newbook connection it is "not configured". */
  hasConnection: boolean;
}

/** No success within twice the configured interval (in scaled minutes), for an enabled, connected kitchen. */
export function isStale(input: StalenessInput, minuteMs: number, now: Date): boolean {
  if (!input.isEnabled || !input.hasConnection) return false;
  const reference = Math.max(input.lastSuccessAt?.getTime() ?? 0, input.since.getTime());
  return now.getTime() - reference > 2 * input.syncIntervalMinutes * minuteMs;
}
