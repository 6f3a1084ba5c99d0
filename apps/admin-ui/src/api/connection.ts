import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";
import type { ConnectionTestResult, NewbookConnection, NewbookConnectionUpdate } from "./types";

const PATH = "/api/settings/newbook-connection";

export function useNewbookConnection() {
  return useQuery({ queryKey: queryKeys.connection, queryFn: () => apiRequest<NewbookConnection>(PATH) });
}

export function useSaveNewbookConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (update: NewbookConnectionUpdate) =>
      apiRequest<NewbookConnection>(PATH, { method: "PUT", body: update }),
    onSuccess: (connection) => queryClient.setQueryData(queryKeys.connection, connection),
  });
}

export function useTestNewbookConnection() {
  return useMutation({
    mutationFn: () => apiRequest<ConnectionTestResult>(`${PATH}/test`, { method: "POST" }),
  });
}
