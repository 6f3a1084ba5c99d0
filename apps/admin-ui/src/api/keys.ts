/** Query keys, in one place so mutations invalidate exactly what they change. */
export const queryKeys = {
  me: ["me"] as const,
  frequentSync: ["settings", "frequent-sync"] as const,
  connection: ["settings", "newbook-connection"] as const,
  syncRun: (runId: string) => ["sync-run", runId] as const,
  syncRuns: (status: string) => ["sync-runs", "list", status] as const,
  syncRunsAll: ["sync-runs"] as const,
  syncStats: (period: string) => ["sync-stats", period] as const,
  historicalJob: (jobId: string) => ["historical-sync", jobId] as const,
  occupancy: (from: string, to: string) => ["occupancy", from, to] as const,
  occupancyAll: ["occupancy"] as const,
  residents: (start: string) => ["residents", start] as const,
  residentsAll: ["residents"] as const,
  alerts: (state: string) => ["alerts", state] as const,
  alertsAll: ["alerts"] as const,
  changes: ["changes"] as const,
  adminKitchens: ["admin", "kitchens"] as const,
};
