import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";
import type { Alert } from "./types";

export function useAlerts(state: "open" | "all") {
  return useQuery({
    queryKey: queryKeys.alerts(state),
    queryFn: () => apiRequest<{ alerts: Alert[] }>("/api/alerts", { query: { state } }),
    refetchInterval: 15_000,
  });
}
