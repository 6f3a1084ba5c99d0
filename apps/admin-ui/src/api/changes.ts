import type { ChangeFeed } from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";
import { usePollFallback } from "./live";

export function useChangeFeed() {
  return useQuery({
    queryKey: queryKeys.changes,
    queryFn: () => apiRequest<ChangeFeed>(API_PATHS.changes, { query: { limit: 10 } }),
    refetchInterval: usePollFallback(15_000),
  });
}
