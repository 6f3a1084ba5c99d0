import type {
  NewbookConnection,
  NewbookConnectionSaved,
  NewbookConnectionTest,
  NewbookConnectionTestResult,
  NewbookConnectionUpdate,
} from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, apiRequest } from "./client";
import { queryKeys } from "./keys";

export function useNewbookConnection() {
  return useQuery({
    queryKey: queryKeys.connection,
    queryFn: () => apiRequest<NewbookConnection>(API_PATHS.connection),
  });
}

export function useSaveNewbookConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (update: NewbookConnectionUpdate) =>
      apiRequest<NewbookConnectionSaved>(API_PATHS.connection, { method: "PUT", body: update }),
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
      apiRequest<NewbookConnectionTestResult>(API_PATHS.connectionTest, { method: "POST", body: candidate }),
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
  if (details !== null && !Array.isArray(details) && "reason" in details) return String(details.reason);
  return error.message;
}
