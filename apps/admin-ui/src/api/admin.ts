import type { KitchensHealth, QueuesSession } from "@occ/api";
import { useMutation, useQuery } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";

export function useKitchensHealth(enabled = true) {
  return useQuery({
    queryKey: queryKeys.adminKitchens,
    queryFn: () => apiRequest<KitchensHealth>("/api/admin/kitchens/health", { scoped: false }),
    enabled,
    refetchInterval: 15_000,
  });
}

/** Bull Board is a server-rendered page: it authenticates with a cookie the API sets here. */
export function useOpenBullBoard() {
  return useMutation({
    mutationFn: () =>
      apiRequest<QueuesSession>("/api/admin/queues-session", { method: "POST", scoped: false }),
  });
}
