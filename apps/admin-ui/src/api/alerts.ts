import type { AlertState, Alerts } from "@occ/api";
import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";
import { usePollFallback } from "./live";

export function useAlerts(state: AlertState) {
  return useQuery({
    queryKey: queryKeys.alerts(state),
    queryFn: () => apiRequest<Alerts>("/api/alerts", { query: { state } }),
    refetchInterval: usePollFallback(15_000),
  });
}
