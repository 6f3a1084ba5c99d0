import type { KitchenSyncEvent } from "@occ/api";
import { API_PATHS } from "@occ/api/contract";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { queriesToRefresh } from "../lib/liveRefresh";
import { createSseParser } from "../lib/sse";
import { kitchenScopeStore, tokenStore } from "./client";
import { refreshAfterSync } from "./frequentSync";

const LiveContext = createContext(false);

/** Reconnect delays after a dropped stream: quick first, then at most every 15 s. */
const RETRY_MS = [1_000, 2_000, 5_000, 15_000];

/** User Timing mark of each event's arrival: the live benchmark (and devtools) time the push with it. */
export const SYNC_EVENT_MARK = "occ:sync-event";

function onSyncEvent(queryClient: QueryClient, event: KitchenSyncEvent): void {
  performance.mark(SYNC_EVENT_MARK, { detail: event });
  // No batching or debounce: each event refetches what it changed at once, the figures first.
  const { first, after } = queriesToRefresh(event);
  const invalidate = (keys: readonly (readonly unknown[])[]) =>
    Promise.allSettled(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  void invalidate(first).then(() => invalidate(after));
}

/**
 * Reads the kitchen's event stream until it ends or fails. fetch rather than EventSource: the stream
 * is authenticated with the same bearer token as every other request (EventSource cannot send it).
 */
async function readStream(
  signal: AbortSignal,
  onOpen: () => void,
  onEvent: (event: KitchenSyncEvent) => void,
): Promise<"ended" | "unauthorized"> {
  const kitchenId = kitchenScopeStore.get();
  const token = tokenStore.get();
  const response = await fetch(
    kitchenId === null ? API_PATHS.events : `${API_PATHS.events}?kitchen_id=${kitchenId}`,
    {
      headers: { Accept: "text/event-stream", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      signal,
    },
  );
  if (response.status === 401) return "unauthorized";
  if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parse = createSseParser();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return "ended";
    for (const frame of parse(decoder.decode(value, { stream: true }))) {
      if (frame.event === "ready") onOpen();
      else if (frame.event === "sync") onEvent(JSON.parse(frame.data) as KitchenSyncEvent);
    }
  }
}

/**
 * Keeps one event stream per page open for the chosen kitchen and refreshes what each sync changed the
 * moment it commits. While the stream is down, pages fall back to polling (usePollFallback).
 */
export function LiveUpdates({ kitchenId, children }: { kitchenId: number | null; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);

  useEffect(() => {
    if (kitchenId === null) return;
    const abort = new AbortController();
    let failures = 0;
    let opened = false;
    const run = async () => {
      while (!abort.signal.aborted) {
        try {
          const outcome = await readStream(
            abort.signal,
            () => {
              // Anything may have happened while we were not listening.
              if (opened) void refreshAfterSync(queryClient);
              opened = true;
              failures = 0;
              setLive(true);
            },
            (event) => onSyncEvent(queryClient, event),
          );
          if (outcome === "unauthorized") break;
        } catch {
          failures += 1;
        }
        setLive(false);
        if (abort.signal.aborted) break;
        const delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    };
    void run();
    return () => {
      abort.abort();
      setLive(false);
    };
  }, [kitchenId, queryClient]);

  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

/** Whether pushed updates are flowing (the page shows it, and stops polling). */
export function useLive(): boolean {
  return useContext(LiveContext);
}

/** A query's refetchInterval: none while the stream is live, `ms` as the fallback when it is down. */
export function usePollFallback(ms: number): number | false {
  return useLive() ? false : ms;
}
