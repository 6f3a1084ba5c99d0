import { parentPort } from "node:worker_threads";
import type { NewbookClientOptions, RateLimiter } from "@occ/core";
import { probeNewbook, SlotRefusedError } from "./newbook-probe";
import type { ProbeReply, ProbeRequest } from "./newbook-probe-pool";

/**
 * Worker thread of the connection-test pool: Newbook's answers are read, parsed and validated here, so a
 * big or hostile answer costs this thread's event loop and heap, never the API's. The shared rate limiter
 * lives in the main thread (its Redis connection); each slot is asked for over the message port.
 */
const port = parentPort;
if (!port) throw new Error("newbook-probe-thread must run in a worker thread");

let nextSlot = 0;
const slots = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

const proxiedLimiter: RateLimiter = {
  acquire: (key) =>
    new Promise<void>((resolve, reject) => {
      const id = nextSlot++;
      slots.set(id, { resolve, reject });
      port.postMessage({ type: "acquire", id, key } satisfies ProbeReply);
    }),
};

port.postMessage({ type: "ready" } satisfies ProbeReply);

port.on("message", (message: ProbeRequest) => {
  if (message.type === "slot") {
    const waiting = slots.get(message.id);
    slots.delete(message.id);
    if (!waiting) return;
    if (message.granted) waiting.resolve();
    else waiting.reject(new SlotRefusedError("no request slot"));
    return;
  }
  const options: NewbookClientOptions = { ...message.options, rateLimiter: proxiedLimiter };
  probeNewbook(options).then(
    (result) => port.postMessage({ type: "done", result } satisfies ProbeReply),
    (error: unknown) =>
      port.postMessage({
        type: "done",
        result: error instanceof SlotRefusedError ? "refused" : "failed",
      } satisfies ProbeReply),
  );
});
