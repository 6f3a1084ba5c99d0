import type { StatsPeriod, SyncRunPage, SyncStats } from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";

const PAGE_SIZE = 50;

/** Sync runs, newest first, paged by `next_before`; `status` "" means every outcome. */
export function useSyncRuns(status: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.syncRuns(status),
    queryFn: ({ pageParam }) =>
      apiRequest<SyncRunPage>(API_PATHS.syncRuns, {
        query: { limit: PAGE_SIZE, status, before: pageParam },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_before,
    refetchInterval: 30_000,
  });
}

export function useSyncStats(period: StatsPeriod) {
  return useQuery({
    queryKey: queryKeys.syncStats(period),
    queryFn: () => apiRequest<SyncStats>(API_PATHS.syncStats, { query: { period } }),
    refetchInterval: 30_000,
  });
}
