import type { LoginRequest, LoginResponse, Me } from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { useMutation, useQuery } from "@tanstack/react-query";
import { apiRequest, tokenStore } from "./client";
import { queryKeys } from "./keys";

export function useMe(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: () => apiRequest<Me>(API_PATHS.me, { scoped: false }),
    enabled,
    staleTime: 5 * 60_000,
  });
}

export function useLogin(onLoggedIn: () => void) {
  return useMutation({
    mutationFn: (credentials: LoginRequest) =>
      apiRequest<LoginResponse>(API_PATHS.login, { method: "POST", body: credentials, scoped: false }),
    onSuccess: (result) => {
      tokenStore.set(result.access_token);
      onLoggedIn();
    },
  });
}
