import type { AlertState, Alerts } from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";
import { usePollFallback } from "./live";

export function useAlerts(state: AlertState) {
  return useQuery({
    queryKey: queryKeys.alerts(state),
    queryFn: () => apiRequest<Alerts>(API_PATHS.alerts, { query: { state } }),
    refetchInterval: usePollFallback(15_000),
  });
}
