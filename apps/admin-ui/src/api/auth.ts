import { useMutation, useQuery } from "@tanstack/react-query";
import { apiRequest, tokenStore } from "./client";
import { queryKeys } from "./keys";
import type { LoginResponse, Me } from "./types";

export function useMe(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: () => apiRequest<Me>("/api/me", { scoped: false }),
    enabled,
    staleTime: 5 * 60_000,
  });
}

export function useLogin(onLoggedIn: () => void) {
  return useMutation({
    mutationFn: (credentials: { email: string; password: string }) =>
      apiRequest<LoginResponse>("/api/auth/login", { method: "POST", body: credentials, scoped: false }),
    onSuccess: (result) => {
      tokenStore.set(result.access_token);
      onLoggedIn();
    },
  });
}
