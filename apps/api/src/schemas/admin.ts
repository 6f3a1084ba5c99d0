import { isValidTimeZone } from "@occ/core";
import { SYNC_STATUSES } from "@occ/db";
import { z } from "zod";
import { HEALTH_SORTS, KITCHEN_STATES } from "../services/kitchens-health";
import { roleSchema } from "./auth";
import { nullableTimestamp, queryInt, timestamp } from "./common";

const kitchenName = z
  .string({ error: "name is required" })
  .trim()
  .min(1, { error: "name is required" })
  .max(200, { error: "name is at most 200 characters" });
const timezone = z
  .string({ error: "timezone must be an IANA time zone such as Europe/London" })
  .trim()
  .refine(isValidTimeZone, { error: "timezone must be an IANA time zone such as Europe/London" });

export const kitchenBodySchema = z.object({ name: kitchenName, timezone }).meta({ id: "KitchenCreate" });
export const kitchenPatchSchema = z
  .object({ name: kitchenName.optional(), timezone: timezone.optional() })
  .meta({ id: "KitchenUpdate" });

export const kitchenViewSchema = z
  .object({ id: z.number().int(), name: z.string(), timezone: z.string(), created_at: timestamp })
  .meta({ id: "Kitchen" });

export const kitchenListSchema = z
  .object({ kitchens: z.array(kitchenViewSchema) })
  .meta({ id: "KitchenList" });

const email = z.email({ error: "email must be an e-mail address" }).max(320);
const password = z
  .string({ error: "password must be at least 10 characters" })
  .min(10, { error: "password must be at least 10 characters" })
  .max(1024, { error: "password is at most 1024 characters" });
const kitchenId = z
  .number({ error: "kitchen_id must be a kitchen id (integer) or null" })
  .int({ error: "kitchen_id must be a kitchen id (integer) or null" })
  .positive({ error: "kitchen_id must be a kitchen id (integer) or null" })
  .max(2_147_483_647, { error: "kitchen_id is out of range" })
  .nullable();

export const userBodySchema = z
  .object({ email, password, role: roleSchema, kitchen_id: kitchenId.optional().default(null) })
  .meta({ id: "UserCreate" });
export const userPatchSchema = z
  .object({
    email: email.optional(),
    password: password.optional(),
    role: roleSchema.optional(),
    kitchen_id: kitchenId.optional(),
    active: z.boolean({ error: "active must be true or false" }).optional(),
  })
  .meta({ id: "UserUpdate" });

export const userViewSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    role: roleSchema,
    kitchen_id: z.number().int().nullable(),
    active: z.boolean(),
    deactivated_at: nullableTimestamp,
    created_at: timestamp,
  })
  .meta({ id: "User" });

export const usersQuerySchema = z.object({
  kitchen_id: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, { error: "kitchen_id must be a positive integer" })
    .transform(Number)
    .optional(),
});

export const userListSchema = z.object({ users: z.array(userViewSchema) }).meta({ id: "UserList" });

const openAlertRefSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    severity: z.string(),
    message: z.string(),
    opened_at: timestamp,
    incident_id: z.number().int().nullable(),
  })
  .meta({ id: "OpenAlertRef" });

export const kitchenHealthSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    timezone: z.string(),
    has_connection: z.boolean(),
    is_enabled: z.boolean(),
    state: z.enum(KITCHEN_STATES),
    reason: z.string().nullable(),
    since: nullableTimestamp,
    sync_interval_minutes: z.number().int(),
    effective_interval_minutes: z.number().int(),
    last_sync_status: z.enum(SYNC_STATUSES).nullable(),
    last_sync_at: nullableTimestamp,
    last_success_at: nullableTimestamp,
    consecutive_failures: z.number().int(),
    stale: z.boolean(),
    next_sync_at: nullableTimestamp,
    open_alerts: z.array(openAlertRefSchema),
  })
  .meta({ id: "KitchenHealth" });

export const kitchensHealthQuerySchema = z.object({
  page: queryInt("page", 1, 100_000).optional().default(1),
  page_size: queryInt("page_size", 1, 200).optional().default(50),
  state: z.enum(KITCHEN_STATES, { error: `state must be one of ${KITCHEN_STATES.join(", ")}` }).optional(),
  q: z.string().trim().max(200, { error: "q is at most 200 characters" }).optional(),
  sort: z
    .enum(HEALTH_SORTS, { error: `sort must be one of ${HEALTH_SORTS.join(", ")}` })
    .optional()
    .default("attention"),
  order: z.enum(["asc", "desc"], { error: "order must be asc or desc" }).optional(),
});

export const kitchensHealthSchema = z
  .object({
    kitchens: z.array(kitchenHealthSchema),
    total: z.number().int(),
    page: z.number().int(),
    page_size: z.number().int(),
    state_counts: z.record(z.enum(KITCHEN_STATES), z.number().int()),
    counts_as_of: timestamp.meta({
      description:
        "When state_counts and total were counted: without a search, up to 5 s ago (shared counts)",
    }),
  })
  .meta({ id: "KitchensHealth" });

export const queuesSessionSchema = z
  .object({ expires_in: z.number().int(), path: z.string() })
  .meta({ id: "QueuesSession" });

const queueDepthSchema = z.object({
  waiting: z.number().int(),
  active: z.number().int(),
  delayed: z.number().int(),
  failed: z.number().int(),
});

export const fleetSchema = z
  .object({
    generated_at: timestamp,
    workers: z.array(
      z.object({
        name: z.string(),
        host: z.string(),
        pid: z.number().int().nullable(),
        queues: z.array(z.string()),
        running_jobs: z.number().int(),
        since: timestamp,
      }),
    ),
    queues: z.array(queueDepthSchema.extend({ name: z.string() })),
    queue_trend: z.array(z.object({ at: timestamp, queues: z.record(z.string(), queueDepthSchema) })),
    syncs_per_minute: z.number(),
    syncs_by_minute: z.array(
      z.object({ minute: timestamp, runs: z.number().int(), failures: z.number().int() }),
    ),
    schedule_lag_p95_ms: z.number().int().nullable(),
    credentials: z.array(
      z.object({
        credential: z.string().describe("username@host/region; never a secret"),
        requests_in_window: z.number().int(),
        limit: z.number().int(),
        throttled_last_hour: z.number().int(),
      }),
    ),
    credentials_total: z.number().int(),
    rate_window_ms: z.number().int(),
  })
  .meta({ id: "Fleet" });
