import type { Residents } from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";
import { usePollFallback } from "./live";

/** `start` "" lets the API pick today in the kitchen's timezone. */
export function useResidents(start: string) {
  return useQuery({
    queryKey: queryKeys.residents(start),
    queryFn: () => apiRequest<Residents>(API_PATHS.residents, { query: { start } }),
    refetchInterval: usePollFallback(60_000),
  });
}
