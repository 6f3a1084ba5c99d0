import type { KitchenSummary, Me } from "@occ/api";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { useKitchenList } from "./api/admin";
import { useMe } from "./api/auth";
import { kitchenScopeStore, onUnauthorized, tokenStore } from "./api/client";

export interface Session {
  loggedIn: boolean;
  me: Me | undefined;
  meError: unknown;
  refetchMe: () => unknown;
  isAdmin: boolean;
  /** The kitchen being looked at: the user's own, or the one an admin picked. */
  kitchen: KitchenSummary | null;
  /** Every kitchen's timestamps are shown in that kitchen's own zone. */
  timeZone: string;
  /** Admins only: kitchens to choose from. */
  kitchens: KitchenSummary[];
  chooseKitchen: (kitchenId: number | null) => void;
  markLoggedIn: () => void;
  logout: () => void;
  /** The last session ended because the API refused its token (expired or revoked), not by signing out. */
  expired: boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [loggedIn, setLoggedIn] = useState(() => tokenStore.get() !== null);
  const [scope, setScope] = useState(() => kitchenScopeStore.get());
  const [expired, setExpired] = useState(false);
  const meQuery = useMe(loggedIn);
  const me = meQuery.data;
  const isAdmin = me?.user.role === "admin";
  const kitchensQuery = useKitchenList(loggedIn && isAdmin);

  const endSession = useCallback(() => {
    tokenStore.clear();
    setLoggedIn(false);
    queryClient.clear();
  }, [queryClient]);

  const logout = useCallback(() => {
    kitchenScopeStore.set(null);
    setScope(null);
    setExpired(false);
    endSession();
  }, [endSession]);

  // An expired session keeps the admin's kitchen: signing in again returns to the same page of it.
  const expire = useCallback(() => {
    setExpired(true);
    endSession();
  }, [endSession]);

  useEffect(() => {
    onUnauthorized(expire);
    return () => onUnauthorized(null);
  }, [expire]);

  const chooseKitchen = useCallback(
    (kitchenId: number | null) => {
      kitchenScopeStore.set(kitchenId);
      setScope(kitchenId);
      // Every cached answer belongs to the previous kitchen.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" && q.queryKey[0] !== "admin" });
    },
    [queryClient],
  );

  // A scope left behind by an admin must not leak into a manager's requests.
  useEffect(() => {
    if (me && !isAdmin && scope !== null) chooseKitchen(null);
  }, [me, isAdmin, scope, chooseKitchen]);

  const value = useMemo<Session>(() => {
    const kitchens: KitchenSummary[] = (kitchensQuery.data?.kitchens ?? []).map(({ id, name, timezone }) => ({
      id,
      name,
      timezone,
    }));
    const picked = isAdmin && scope !== null ? kitchens.find((k) => k.id === scope) : undefined;
    const kitchen = picked ?? me?.kitchen ?? null;
    return {
      loggedIn,
      me,
      meError: meQuery.error,
      refetchMe: meQuery.refetch,
      isAdmin,
      kitchen,
      timeZone: kitchen?.timezone ?? "UTC",
      kitchens,
      chooseKitchen,
      markLoggedIn: () => {
        setExpired(false);
        setLoggedIn(true);
      },
      logout,
      expired,
    };
  }, [
    loggedIn,
    me,
    meQuery.error,
    meQuery.refetch,
    isAdmin,
    scope,
    kitchensQuery.data,
    chooseKitchen,
    logout,
    expired,
  ]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
