import type {
  FrequentSyncSettings,
  FrequentSyncSettingsPatch,
  FrequentSyncSettingsSaved,
  SyncNowResult,
  SyncRun,
} from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { apiRequest, pathTo } from "./client";
import { queryKeys } from "./keys";
import { usePollFallback } from "./live";

const STATUS_POLL_MS = 15_000;
const RUN_POLL_MS = 1_000;

export function isRunFinished(run: Pick<SyncRun, "status"> | undefined): boolean {
  return (
    run !== undefined && (run.status === "success" || run.status === "failed" || run.status === "skipped")
  );
}

/**
 * Everything a finished sync may have changed. A request already in flight is kept, not restarted: with
 * the event stream up, the run's own events have usually started these refetches already.
 */
export function refreshAfterSync(queryClient: QueryClient): Promise<unknown> {
  return Promise.all(
    [
      queryKeys.frequentSync,
      queryKeys.occupancyAll,
      queryKeys.syncRunsAll,
      queryKeys.residentsAll,
      queryKeys.alertsAll,
      queryKeys.changes,
      queryKeys.arrivals,
      queryKeys.mealSheetsAll,
      queryKeys.adminKitchens,
    ].map((queryKey) => queryClient.invalidateQueries({ queryKey }, { cancelRefetch: false })),
  );
}

/** The settings and the status box; polls so the dashboard widget stays current on its own. */
export function useFrequentSyncSettings() {
  return useQuery({
    queryKey: queryKeys.frequentSync,
    queryFn: () => apiRequest<FrequentSyncSettings>(API_PATHS.frequentSyncSettings),
    refetchInterval: usePollFallback(STATUS_POLL_MS),
  });
}

export function useUpdateFrequentSync() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (update: FrequentSyncSettingsPatch) =>
      apiRequest<FrequentSyncSettingsSaved>(API_PATHS.frequentSyncSettings, {
        method: "PATCH",
        body: update,
      }),
    onSuccess: (saved) => queryClient.setQueryData<FrequentSyncSettings>(queryKeys.frequentSync, saved),
  });
}

export function useSyncNow() {
  return useMutation({
    mutationFn: () => apiRequest<SyncNowResult>(API_PATHS.syncNow, { method: "POST" }),
  });
}

export function useSyncRunById(runId: string | null, pollMs = RUN_POLL_MS) {
  return useQuery({
    queryKey: queryKeys.syncRun(runId ?? ""),
    queryFn: () => apiRequest<SyncRun>(pathTo(API_PATHS.syncRun, { run_id: runId ?? "" })),
    enabled: runId !== null,
    refetchInterval: (query) => (isRunFinished(query.state.data) ? false : pollMs),
  });
}

/** Follows one run until it finishes, then refreshes everything the run may have changed. */
export function useFollowedSyncRun(runId: string | null) {
  const queryClient = useQueryClient();
  const query = useSyncRunById(runId);
  const finished = isRunFinished(query.data);
  useEffect(() => {
    if (finished) void refreshAfterSync(queryClient);
  }, [finished, queryClient]);
  return query;
}
