import type {
  Fleet,
  HealthSort,
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
import { API_PATHS } from "@occ/api/contract";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, pathTo } from "./client";
import { queryKeys } from "./keys";

export interface HealthParams {
  page: number;
  page_size: number;
  state?: KitchenState;
  q?: string;
  sort?: HealthSort;
}

/** One page of the ops view; the server filters, sorts and counts, so hundreds of kitchens stay cheap. */
export function useKitchensHealth(params: HealthParams) {
  const query: Record<string, string | number> = { page: params.page, page_size: params.page_size };
  if (params.state) query.state = params.state;
  if (params.q) query.q = params.q;
  if (params.sort) query.sort = params.sort;
  return useQuery({
    queryKey: queryKeys.adminHealth(query),
    queryFn: () => apiRequest<KitchensHealth>(API_PATHS.kitchensHealth, { scoped: false, query }),
    refetchInterval: 15_000,
    placeholderData: keepPreviousData,
  });
}

/** Workers, queues, throughput and Newbook budgets: refreshed with the kitchens list. */
export function useFleet() {
  return useQuery({
    queryKey: queryKeys.adminFleet,
    queryFn: () => apiRequest<Fleet>(API_PATHS.fleet, { scoped: false }),
    refetchInterval: 15_000,
  });
}

/** Every kitchen's id, name and zone: the admin's kitchen switcher and the users form. */
export function useKitchenList(enabled = true) {
  return useQuery({
    queryKey: queryKeys.adminKitchens,
    queryFn: () => apiRequest<KitchenList>(API_PATHS.kitchens, { scoped: false }),
    enabled,
  });
}

export function useUserList() {
  return useQuery({
    queryKey: queryKeys.adminUsers,
    queryFn: () => apiRequest<UserList>(API_PATHS.users, { scoped: false }),
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
    apiRequest<Kitchen>(API_PATHS.kitchens, { method: "POST", body, scoped: false }),
  );
}

export function useUpdateKitchen() {
  return useAdminMutation(({ id, ...body }: KitchenUpdate & { id: number }) =>
    apiRequest<Kitchen>(pathTo(API_PATHS.kitchen, { id }), { method: "PATCH", body, scoped: false }),
  );
}

export function useCreateUser() {
  return useAdminMutation((body: UserCreate) =>
    apiRequest<User>(API_PATHS.users, { method: "POST", body, scoped: false }),
  );
}

export function useUpdateUser() {
  return useAdminMutation(({ id, ...body }: UserUpdate & { id: number }) =>
    apiRequest<User>(pathTo(API_PATHS.user, { id }), { method: "PATCH", body, scoped: false }),
  );
}

/** Bull Board is a server-rendered page: it authenticates with a cookie the API sets here. */
export function useOpenBullBoard() {
  return useMutation({
    mutationFn: () => apiRequest<QueuesSession>(API_PATHS.queuesSession, { method: "POST", scoped: false }),
  });
}
