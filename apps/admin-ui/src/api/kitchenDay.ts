import type { Arrivals, MealSheet, SheetMeal } from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { useQuery } from "@tanstack/react-query";
import { ApiError, apiRequest, kitchenScopeStore, pathTo, tokenStore } from "./client";
import { queryKeys } from "./keys";
import { usePollFallback } from "./live";

/**
 * Arrivals and sheets refresh when a sync commits (the kitchen's event stream invalidates them, see
 * refreshAfterSync); they poll only while the stream is down, so a check-in still lands within a minute.
 */
const POLL_MS = 15_000;

export function useArrivals() {
  return useQuery({
    queryKey: queryKeys.arrivals,
    queryFn: () => apiRequest<Arrivals>(API_PATHS.arrivals),
    refetchInterval: usePollFallback(POLL_MS),
  });
}

export function useMealSheet(meal: SheetMeal) {
  return useQuery({
    queryKey: queryKeys.mealSheet(meal),
    queryFn: () => apiRequest<MealSheet>(pathTo(API_PATHS.sheet, { meal })),
    refetchInterval: usePollFallback(POLL_MS),
  });
}

/**
 * Downloads the sheet's CSV through the API (the bearer token cannot ride on a plain link) and hands it
 * to the browser as a file; the date pins it to the rows on screen.
 */
export async function downloadSheetCsv(meal: SheetMeal, date: string): Promise<void> {
  const params = new URLSearchParams({ date });
  const kitchenId = kitchenScopeStore.get();
  if (kitchenId !== null) params.set("kitchen_id", String(kitchenId));
  const token = tokenStore.get();
  const response = await fetch(`${pathTo(API_PATHS.sheetCsv, { meal })}?${params.toString()}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) {
    throw new ApiError(response.status, {
      code: `http_${response.status}`,
      message: "The download failed",
      details: null,
    });
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `${meal}-${date}.csv`;
  link.click();
  URL.revokeObjectURL(url);
}
