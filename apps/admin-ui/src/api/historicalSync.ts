import type {
  HistoricalSync,
  HistoricalSyncList,
  HistoricalSyncQueued,
  HistoricalSyncRequest,
  HistoricalSyncResumed,
} from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { apiRequest, pathTo } from "./client";
import { refreshAfterSync } from "./frequentSync";
import { queryKeys } from "./keys";

/** While a sync of the list is in flight its progress bar moves; otherwise the list rarely changes. */
const ACTIVE_POLL_MS = 1_000;
const IDLE_POLL_MS = 30_000;

export function isSyncActive(sync: Pick<HistoricalSync, "state">): boolean {
  return sync.state === "queued" || sync.state === "running";
}

/**
 * The kitchen's historical syncs as the server holds them, so every tab, device and admin (whichever
 * kitchen the switcher picks) sees the same list; nothing about a job is remembered in the browser.
 */
export function useHistoricalSyncs() {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: queryKeys.historicalSyncs,
    queryFn: () => apiRequest<HistoricalSyncList>(API_PATHS.historicalSyncs),
    refetchInterval: (q) => (q.state.data?.syncs.some(isSyncActive) ? ACTIVE_POLL_MS : IDLE_POLL_MS),
  });
  // A sync that just finished changed the kitchen's figures: refresh the pages that show them.
  const active = query.data?.syncs.filter(isSyncActive).length ?? 0;
  const previous = useRef(active);
  useEffect(() => {
    if (active < previous.current) void refreshAfterSync(queryClient);
    previous.current = active;
  }, [active, queryClient]);
  return query;
}

function useListMutation<I, O>(request: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.historicalSyncs }),
  });
}

export function useStartHistoricalSync() {
  return useListMutation((range: HistoricalSyncRequest) =>
    apiRequest<HistoricalSyncQueued>(API_PATHS.historicalSync, { method: "POST", body: range }),
  );
}

export function useResumeHistoricalSync() {
  return useListMutation((jobId: string) =>
    apiRequest<HistoricalSyncResumed>(pathTo(API_PATHS.historicalSyncResume, { job_id: jobId }), {
      method: "POST",
    }),
  );
}
