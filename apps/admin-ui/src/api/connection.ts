import type {
  NewbookConnection,
  NewbookConnectionSaved,
  NewbookConnectionTest,
  NewbookConnectionTestResult,
  NewbookConnectionUpdate,
} from "@occ/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, apiRequest } from "./client";
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
      // A save resets the back-off, may (un)schedule the kitchen and starts a sync.
      void queryClient.invalidateQueries({ queryKey: queryKeys.frequentSync });
    },
  });
}

export function useTestNewbookConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (candidate: NewbookConnectionTest) =>
      apiRequest<NewbookConnectionTestResult>(`${PATH}/test`, { method: "POST", body: candidate }),
    onSuccess: (result) => {
      // A pass of the saved credentials verifies them: the kitchen may now sync on its own.
      if (result.ok) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.connection });
        void queryClient.invalidateQueries({ queryKey: queryKeys.frequentSync });
      }
    },
  });
}

/** The refusal of a save whose new credentials failed their test: Newbook's reason, nothing saved. */
export function failedTestReason(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== "connection_test_failed") return null;
  const details = error.rawDetails;
  if (typeof details === "object" && details !== null && "reason" in details)
    return String((details as { reason: unknown }).reason);
  return error.message;
}
