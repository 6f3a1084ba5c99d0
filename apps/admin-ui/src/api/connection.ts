import type {
  NewbookConnection,
  NewbookConnectionSaved,
  NewbookConnectionTest,
  NewbookConnectionTestResult,
  NewbookConnectionUpdate,
} from "@occ/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";

const PATH = "/api/settings/newbook-connection";

export function useNewbookConnection() {
  return useQuery({ queryKey: queryKeys.connection, queryFn: () => apiRequest<NewbookConnection>(PATH) });
}

export function useSaveNewbookConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (update: NewbookConnectionUpdate) =>
      apiRequest<NewbookConnectionSaved>(PATH, { method: "PUT", body: update }),
    onSuccess: (saved) => {
      queryClient.setQueryData<NewbookConnection>(queryKeys.connection, saved);
      // The first connection makes the kitchen schedulable.
      void queryClient.invalidateQueries({ queryKey: queryKeys.frequentSync });
    },
  });
}

export function useTestNewbookConnection() {
  return useMutation({
    mutationFn: (candidate: NewbookConnectionTest) =>
      apiRequest<NewbookConnectionTestResult>(`${PATH}/test`, { method: "POST", body: candidate }),
  });
}
