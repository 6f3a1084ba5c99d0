import type {
  Fleet,
  Kitchen,
  KitchenCreate,
  KitchenList,
  KitchenState,
  KitchensHealth,
  KitchenUpdate,
  QueuesSession,
  User,
  UserCreate,
  UserList,
  UserUpdate,
} from "@occ/api";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "./client";
import { queryKeys } from "./keys";

export interface HealthParams {
  page: number;
  page_size: number;
  state?: KitchenState;
  q?: string;
  sort?: string;
}

/** One page of the ops view; the server filters, sorts and counts, so hundreds of kitchens stay cheap. */
export function useKitchensHealth(params: HealthParams) {
  const query: Record<string, string | number> = { page: params.page, page_size: params.page_size };
  if (params.state) query.state = params.state;
  if (params.q) query.q = params.q;
  if (params.sort) query.sort = params.sort;
  return useQuery({
    queryKey: queryKeys.adminHealth(query),
    queryFn: () => apiRequest<KitchensHealth>("/api/admin/kitchens/health", { scoped: false, query }),
    refetchInterval: 15_000,
    placeholderData: keepPreviousData,
  });
}

/** Workers, queues, throughput and Newbook budgets: refreshed with the kitchens list. */
export function useFleet() {
  return useQuery({
    queryKey: queryKeys.adminFleet,
    queryFn: () => apiRequest<Fleet>("/api/admin/fleet", { scoped: false }),
    refetchInterval: 15_000,
  });
}

/** Every kitchen's id, name and zone: the admin's kitchen switcher and the users form. */
export function useKitchenList(enabled = true) {
  return useQuery({
    queryKey: queryKeys.adminKitchens,
    queryFn: () => apiRequest<KitchenList>("/api/admin/kitchens", { scoped: false }),
    enabled,
  });
}

export function useUserList() {
  return useQuery({
    queryKey: queryKeys.adminUsers,
    queryFn: () => apiRequest<UserList>("/api/admin/users", { scoped: false }),
  });
}

function useAdminMutation<I, O>(request: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["admin"] }),
  });
}

export function useCreateKitchen() {
  return useAdminMutation((body: KitchenCreate) =>
    apiRequest<Kitchen>("/api/admin/kitchens", { method: "POST", body, scoped: false }),
  );
}

export function useUpdateKitchen() {
  return useAdminMutation(({ id, ...body }: KitchenUpdate & { id: number }) =>
    apiRequest<Kitchen>(`/api/admin/kitchens/${id}`, { method: "PATCH", body, scoped: false }),
  );
}

export function useCreateUser() {
  return useAdminMutation((body: UserCreate) =>
    apiRequest<User>("/api/admin/users", { method: "POST", body, scoped: false }),
  );
}

export function useUpdateUser() {
  return useAdminMutation(({ id, ...body }: UserUpdate & { id: number }) =>
    apiRequest<User>(`/api/admin/users/${id}`, { method: "PATCH", body, scoped: false }),
  );
}

/** Bull Board is a server-rendered page: it authenticates with a cookie the API sets here. */
export function useOpenBullBoard() {
  return useMutation({
    mutationFn: () =>
      apiRequest<QueuesSession>("/api/admin/queues-session", { method: "POST", scoped: false }),
  });
}
