import type { Occupancy } from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";
import { usePollFallback } from "./live";

export function useOccupancy(from: string, to: string) {
  return useQuery({
    queryKey: queryKeys.occupancy(from, to),
    queryFn: () => apiRequest<Occupancy>(API_PATHS.occupancy, { query: { from, to } }),
    refetchInterval: usePollFallback(15_000),
  });
}
