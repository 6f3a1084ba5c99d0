import { RUN_KINDS } from "@occ/db";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Logger } from "../logger";

/**
 * What a worker tells every API replica about a kitchen's sync: the run started, or committed its data
 * (`synced`), or failed. Pages of that kitchen refetch what the event says may have changed.
 */
export const kitchenEventSchema = z.object({
  kitchenId: z.number().int().positive(),
  runId: z.string(),
  kind: z.enum(RUN_KINDS),
  type: z.enum(["started", "synced", "failed", "status"]),
  /** Rows the run wrote: 0 means the figures on screen are still right, only the status moved. */
  rowsChanged: z.number().int().nonnegative(),
  /** Bookings in the run's change set. */
  bookingChanges: z.number().int().nonnegative(),
  at: z.string(),
});

export type KitchenEvent = z.infer<typeof kitchenEventSchema>;

/** One channel for all kitchens: a replica subscribes once and fans out in process. */
export function kitchenEventsChannel(prefix: string): string {
  return `${prefix}:kitchen-events`;
}

export interface KitchenEventPublisher {
  publish(event: Omit<KitchenEvent, "at">): Promise<void>;
}

/**
 * Publishing is best effort: a lost event only delays a page until its fallback poll, so a Redis hiccup
 * here is logged and never fails the sync that already committed.
 */
export function kitchenEventPublisher(
  redis: Redis,
  prefix: string,
  logger: Logger,
  now: () => Date = () => new Date(),
): KitchenEventPublisher {
  const channel = kitchenEventsChannel(prefix);
  return {
    async publish(event) {
      const message: KitchenEvent = { ...event, at: now().toISOString() };
      try {
        await redis.publish(channel, JSON.stringify(message));
      } catch (error) {
        logger.warn("kitchen event not published", { kitchen_id: event.kitchenId, error: String(error) });
      }
    },
  };
}

export interface KitchenEventListener {
  onEvent(event: KitchenEvent): void;
  /** The hub is closing (the replica shuts down): end the stream so the client reconnects elsewhere. */
  onClose(): void;
}

/**
 * One API replica's subscription: a dedicated Redis connection (a subscribing connection can do
 * nothing else), opened at the first listener, delivering each event to that kitchen's listeners only.
 */
export class KitchenEventHub {
  private readonly listeners = new Map<number, Set<KitchenEventListener>>();
  private subscriber: Redis | null = null;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly opts: {
      /** Opens the subscriber connection (e.g. `redis.duplicate()`). */
      connect: () => Redis;
      prefix: string;
      logger: Logger;
    },
  ) {}

  /** Resolves once the replica receives events; the returned function unsubscribes. */
  async subscribe(kitchenId: number, listener: KitchenEventListener): Promise<() => void> {
    const set = this.listeners.get(kitchenId) ?? new Set<KitchenEventListener>();
    set.add(listener);
    this.listeners.set(kitchenId, set);
    const unsubscribe = () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(kitchenId) === set) this.listeners.delete(kitchenId);
    };
    try {
      await this.start();
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  /** Listeners currently attached (for tests and metrics). */
  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const subscriber = this.opts.connect();
    this.subscriber = subscriber;
    subscriber.on("message", (_channel: string, message: string) => this.deliver(message));
    this.ready = subscriber
      .subscribe(kitchenEventsChannel(this.opts.prefix))
      .then(() => undefined)
      .catch((error: unknown) => {
        // The next subscriber tries again with a fresh connection.
        this.ready = null;
        this.subscriber = null;
        subscriber.disconnect();
        throw error;
      });
    return this.ready;
  }

  private deliver(message: string): void {
    let event: KitchenEvent;
    try {
      event = kitchenEventSchema.parse(JSON.parse(message));
    } catch {
      this.opts.logger.warn("ignored a malformed kitchen event");
      return;
    }
    for (const listener of this.listeners.get(event.kitchenId) ?? []) listener.onEvent(event);
  }

  async close(): Promise<void> {
    const listeners = [...this.listeners.values()].flatMap((set) => [...set]);
    this.listeners.clear();
    for (const listener of listeners) listener.onClose();
    const subscriber = this.subscriber;
    this.subscriber = null;
    this.ready = null;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }
}
