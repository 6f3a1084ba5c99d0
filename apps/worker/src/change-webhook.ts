import {
  bullmqConnection,
  bullmqPrefix,
  type Config,
  changeWebhookMessage,
  type Logger,
  localDateIn,
  postWebhook,
} from "@occ/core";
import {
  bookingChanges,
  CHANGE_WEBHOOK_MIN_BOOKINGS_DEFAULT,
  type Db,
  kitchens,
  newbookFrequentSyncSettings,
} from "@occ/db";
import { Queue, UnrecoverableError, Worker } from "bullmq";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";

/** Messages about change sets, apart from the sync queues: a slow receiver never takes a sync slot. */
export const CHANGE_WEBHOOK_QUEUE = "change-webhook";

export const changeWebhookJobSchema = z.object({
  kitchenId: z.number().int().positive(),
  runId: z.uuid(),
});
export type ChangeWebhookJob = z.infer<typeof changeWebhookJobSchema>;

/** How long a receiver may take, and how patiently a failed message is tried again. */
export interface ChangeWebhookDelivery {
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
}

const DELIVERY: ChangeWebhookDelivery = { timeoutMs: 5_000, attempts: 6, backoffMs: 5_000 };

export interface ChangeWebhookDeps {
  db: Db;
  logger: Logger;
  config: Pick<Config, "redis" | "QUEUE_PREFIX" | "CHANGE_WEBHOOK_URL">;
  /** Tests shorten the retries. */
  delivery?: Partial<ChangeWebhookDelivery>;
}

export interface ChangeNotifier {
  /**
   * Queues the message about a committed run's change set. Never awaited by the sync and never throws:
   * with Redis away the add would wait for it, and a lost message must not fail or delay a sync.
   */
  enqueue(job: ChangeWebhookJob): void;
  close(): Promise<void>;
}

export type ChangeWebhookOutcome =
  | { sent: true; bookings: number }
  | { sent: false; reason: "below_threshold" | "no_changes" };

/**
 * One job: reads the run's change set and the kitchen's threshold, and posts the message when the set is
 * big enough for today or tomorrow (the kitchen's, when the run committed). A failed post throws, so
 * BullMQ tries again with back-off; logs carry counts and ids, never the URL or a guest's name.
 */
export async function deliverChangeWebhook(
  deps: Pick<ChangeWebhookDeps, "db">,
  url: string,
  job: ChangeWebhookJob,
  timeoutMs: number,
): Promise<ChangeWebhookOutcome> {
  const [kitchen] = await deps.db
    .select({
      name: kitchens.name,
      timezone: kitchens.timezone,
      minBookings: newbookFrequentSyncSettings.changeWebhookMinBookings,
      hasSettings: newbookFrequentSyncSettings.id,
    })
    .from(kitchens)
    .leftJoin(newbookFrequentSyncSettings, eq(newbookFrequentSyncSettings.kitchenId, kitchens.id))
    .where(eq(kitchens.id, job.kitchenId));
  const changes = await deps.db
    .select()
    .from(bookingChanges)
    .where(eq(bookingChanges.runId, job.runId))
    .orderBy(asc(bookingChanges.id));
  // Deleted since (the kitchen, or the run by retention): nothing left to tell.
  if (!kitchen || changes.length === 0) return { sent: false, reason: "no_changes" };
  const message = changeWebhookMessage({
    kitchenName: kitchen.name,
    today: localDateIn(kitchen.timezone, changes[0]!.syncedAt),
    changes,
    minBookings: kitchen.hasSettings === null ? CHANGE_WEBHOOK_MIN_BOOKINGS_DEFAULT : kitchen.minBookings,
  });
  if (!message) return { sent: false, reason: "below_threshold" };
  await postWebhook(url, { text: message.text }, timeoutMs);
  return { sent: true, bookings: message.bookings };
}

/** With CHANGE_WEBHOOK_URL unset there is no queue and nothing is ever enqueued. */
export function startChangeWebhook(deps: ChangeWebhookDeps): ChangeNotifier {
  const url = deps.config.CHANGE_WEBHOOK_URL;
  if (!url) return { enqueue: () => undefined, close: async () => undefined };
  const { logger, config } = deps;
  const delivery = { ...DELIVERY, ...deps.delivery };
  const redis = bullmqConnection(config.redis, { maxRetriesPerRequest: null });
  const { connection } = redis;
  const prefix = bullmqPrefix(config.redis, config.QUEUE_PREFIX, CHANGE_WEBHOOK_QUEUE);
  const queue = new Queue<ChangeWebhookJob>(CHANGE_WEBHOOK_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: delivery.attempts,
      backoff: { type: "exponential", delay: delivery.backoffMs },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
    },
  });
  const worker = new Worker<ChangeWebhookJob, ChangeWebhookOutcome>(
    CHANGE_WEBHOOK_QUEUE,
    async (job) => {
      const parsed = changeWebhookJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError("malformed change webhook job");
      const outcome = await deliverChangeWebhook(deps, url, parsed.data, delivery.timeoutMs);
      logger.info(outcome.sent ? "change webhook sent" : "change webhook not sent", {
        kitchen_id: parsed.data.kitchenId,
        run_id: parsed.data.runId,
        ...(outcome.sent ? { bookings: outcome.bookings } : { reason: outcome.reason }),
      });
      return outcome;
    },
    { connection, prefix, concurrency: 4 },
  );
  worker.on("failed", (job, error) =>
    logger.warn("change webhook failed", {
      kitchen_id: job?.data.kitchenId,
      run_id: job?.data.runId,
      attempt: job?.attemptsMade,
      // A WebhookError says what went wrong without the URL; the others come from PostgreSQL or Redis.
      error: error.message,
    }),
  );
  worker.on("error", (error) => logger.error("change webhook worker error", { error: error.message }));
  return {
    enqueue(job) {
      // One message per run, however often it is queued.
      queue.add("change-set", job, { jobId: `change-${job.runId}` }).catch((error: unknown) =>
        logger.warn("change webhook not queued", {
          kitchen_id: job.kitchenId,
          run_id: job.runId,
          error: String(error),
        }),
      );
    },
    async close() {
      await worker.close();
      await queue.close();
      await redis.close();
    },
  };
}
