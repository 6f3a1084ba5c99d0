import type {
  HistoricalSyncQueued,
  HistoricalSyncRequest,
  HistoricalSyncResumed,
  HistoricalSyncStatus,
} from "@occ/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { apiRequest } from "./client";
import { refreshAfterSync } from "./frequentSync";
import { queryKeys } from "./keys";

const POLL_MS = 1_000;

export function isJobFinished(job: Pick<HistoricalSyncStatus, "state"> | undefined): boolean {
  return job !== undefined && (job.state === "success" || job.state === "failed" || job.state === "skipped");
}

export function useStartHistoricalSync() {
  return useMutation({
    mutationFn: (range: HistoricalSyncRequest) =>
      apiRequest<HistoricalSyncQueued>("/api/newbook/sync", { method: "POST", body: range }),
  });
}

export function useResumeHistoricalSync() {
  return useMutation({
    mutationFn: (jobId: string) =>
      apiRequest<HistoricalSyncResumed>(`/api/newbook/sync/${encodeURIComponent(jobId)}/resume`, {
        method: "POST",
      }),
  });
}

/** Polls a historical sync job until it completes or fails. */
export function useHistoricalSyncJob(jobId: string | null) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: queryKeys.historicalJob(jobId ?? ""),
    queryFn: () => apiRequest<HistoricalSyncStatus>(`/api/newbook/sync/${encodeURIComponent(jobId ?? "")}`),
    enabled: jobId !== null,
    refetchInterval: (q) => (isJobFinished(q.state.data) ? false : POLL_MS),
  });
  const finished = isJobFinished(query.data);
  useEffect(() => {
    if (finished) void refreshAfterSync(queryClient);
  }, [finished, queryClient]);
  return query;
}
