import type { KitchenEvent, KitchenEventHub } from "@occ/core";
import type { Response } from "express";
import { ApiError } from "../errors";

/** Proxies drop idle connections after a minute or so; a comment line now and then keeps the stream up. */
export const SSE_HEARTBEAT_MS = 20_000;
/** How long the browser waits before reconnecting a dropped stream (the SSE `retry` field). */
const RETRY_MS = 3_000;

/** The event as pages read it: the API's snake_case, no kitchen id (the stream is one kitchen's). */
export function sseSyncEvent(event: KitchenEvent) {
  return {
    type: event.type,
    run_id: event.runId,
    kind: event.kind,
    rows_changed: event.rowsChanged,
    booking_changes: event.bookingChanges,
    committed_at: event.committedAt ?? null,
    at: event.at,
  };
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Holds the response open as a text/event-stream of one kitchen's sync events until the client leaves
 * or the replica shuts down. Subscribes before answering, so a 503 (Redis unreachable) still reaches the
 * page as an ordinary error and it keeps polling.
 */
export async function streamKitchenEvents(
  hub: KitchenEventHub,
  kitchenId: number,
  res: Response,
  heartbeatMs = SSE_HEARTBEAT_MS,
): Promise<void> {
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let unsubscribe: () => void;
  try {
    unsubscribe = await hub.subscribe(kitchenId, {
      onEvent: (event) => res.write(frame("sync", sseSyncEvent(event))),
      onClose: () => {
        res.end();
        finish();
      },
    });
  } catch {
    throw new ApiError(
      503,
      "live_unavailable",
      "Live updates are unavailable right now; the page refreshes itself",
    );
  }
  res.status(200);
  res.set({
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    // nginx and friends would otherwise buffer the stream.
    "X-Accel-Buffering": "no",
  });
  res.flushHeaders();
  res.write(`retry: ${RETRY_MS}\n\n`);
  res.write(frame("ready", { kitchen_id: kitchenId }));
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
  res.on("close", finish);
  await done;
  clearInterval(heartbeat);
  unsubscribe();
}
