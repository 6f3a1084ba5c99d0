import { busyWindowsProblem, isClockTime, SCHEDULE_OFF_REASONS } from "@occ/core";
import {
  CHANGE_WEBHOOK_MIN_BOOKINGS_DEFAULT,
  CHANGE_WEBHOOK_MIN_BOOKINGS_MAX,
  DAYS_AHEAD_MAX,
  DAYS_AHEAD_MIN,
  NEWBOOK_REGIONS,
  SYNC_INTERVALS,
  SYNC_STATUSES,
} from "@occ/db";
import { z } from "zod";
import { nullableTimestamp } from "./common";

const INTERVAL_MESSAGE = `sync_interval_minutes must be one of: ${SYNC_INTERVALS.join(", ")}`;
const DAYS_MESSAGE = `days_ahead must be an integer between ${DAYS_AHEAD_MIN} and ${DAYS_AHEAD_MAX}`;

const isEnabled = z.boolean({ error: "is_enabled must be true or false" });
const syncInterval = z
  .number({ error: INTERVAL_MESSAGE })
  .refine((v) => (SYNC_INTERVALS as readonly number[]).includes(v), { error: INTERVAL_MESSAGE })
  .meta({ enum: [...SYNC_INTERVALS] });
const daysAhead = z
  .number({ error: DAYS_MESSAGE })
  .int({ error: DAYS_MESSAGE })
  .min(DAYS_AHEAD_MIN, { error: DAYS_MESSAGE })
  .max(DAYS_AHEAD_MAX, { error: DAYS_MESSAGE });

const BUSY_INTERVAL_MESSAGE = `busy_interval_minutes must be null or one of: ${SYNC_INTERVALS.join(", ")}`;
const clockTime = (field: string) =>
  z
    .string({ error: `busy_hours ${field} must be a time HH:MM` })
    .refine(isClockTime, { error: `busy_hours ${field} must be a time HH:MM (00:00-23:59)` });
const busyWindow = z.object({ start: clockTime("start"), end: clockTime("end") }).meta({ id: "BusyWindow" });
const busyHours = z
  .array(busyWindow, { error: "busy_hours must be a list of {start, end} windows" })
  .max(6, { error: "busy_hours has at most 6 windows" })
  .superRefine((windows, ctx) => {
    // A malformed time is already reported on its own field.
    if (!windows.every((w) => isClockTime(w.start) && isClockTime(w.end))) return;
    const problem = busyWindowsProblem(windows);
    if (problem) ctx.addIssue({ code: "custom", message: `busy_hours: ${problem}` });
  });
const busyInterval = z
  .number({ error: BUSY_INTERVAL_MESSAGE })
  .refine((v) => (SYNC_INTERVALS as readonly number[]).includes(v), { error: BUSY_INTERVAL_MESSAGE })
  .meta({ enum: [...SYNC_INTERVALS] })
  .nullable();

const MIN_BOOKINGS_MESSAGE = `change_webhook_min_bookings must be null or an integer between 1 and ${CHANGE_WEBHOOK_MIN_BOOKINGS_MAX}`;
/** How many bookings changed for today or tomorrow make a sync worth a CHANGE_WEBHOOK_URL message. */
const changeWebhookMinBookings = z
  .number({ error: MIN_BOOKINGS_MESSAGE })
  .int({ error: MIN_BOOKINGS_MESSAGE })
  .min(1, { error: MIN_BOOKINGS_MESSAGE })
  .max(CHANGE_WEBHOOK_MIN_BOOKINGS_MAX, { error: MIN_BOOKINGS_MESSAGE })
  .nullable()
  .meta({
    description: `A sync's change set is sent to CHANGE_WEBHOOK_URL when at least this many bookings changed for the kitchen's today or tomorrow; null: never for this kitchen. Default ${CHANGE_WEBHOOK_MIN_BOOKINGS_DEFAULT}.`,
  });

const frequentSyncFields = z.object({
  is_enabled: isEnabled,
  sync_interval_minutes: syncInterval,
  days_ahead: daysAhead,
  /** Optional: local-time windows in which the kitchen syncs every busy_interval_minutes. */
  busy_hours: busyHours.optional(),
  busy_interval_minutes: busyInterval.optional(),
  change_webhook_min_bookings: changeWebhookMinBookings.optional(),
});

// Windows without a faster interval would silently do nothing.
const busyHoursNeedInterval = (v: { busy_hours?: unknown[]; busy_interval_minutes?: number | null }) =>
  !(v.busy_hours && v.busy_hours.length > 0 && v.busy_interval_minutes === null);
const BUSY_NEEDS_INTERVAL = {
  error: "busy_interval_minutes is required when busy_hours are given",
  path: ["busy_interval_minutes"],
};

export const frequentSyncBodySchema = frequentSyncFields
  .refine(busyHoursNeedInterval, BUSY_NEEDS_INTERVAL)
  .meta({ id: "FrequentSyncSettingsUpdate" });

export const frequentSyncPatchSchema = frequentSyncFields
  .partial()
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    error:
      "provide at least one of: is_enabled, sync_interval_minutes, days_ahead, busy_hours, busy_interval_minutes, change_webhook_min_bookings",
  })
  .refine(busyHoursNeedInterval, BUSY_NEEDS_INTERVAL)
  .meta({ id: "FrequentSyncSettingsPatch" });

export const frequentSyncViewSchema = z
  .object({
    is_enabled: z.boolean(),
    sync_interval_minutes: z.number().int(),
    days_ahead: z.number().int(),
    last_sync_at: nullableTimestamp,
    last_sync_status: z.enum(SYNC_STATUSES).nullable(),
    last_error_message: z.string().nullable(),
    consecutive_failures: z.number().int(),
    last_success_at: nullableTimestamp,
    next_sync_at: nullableTimestamp,
    last_duration_ms: z.number().int().nullable(),
    stale: z.boolean(),
    /** The interval the schedule runs at now: back-off and busy hours applied. */
    effective_interval_minutes: z.number().int(),
    busy_hours: z.array(busyWindow),
    busy_interval_minutes: z.number().int().nullable(),
    change_webhook_min_bookings: changeWebhookMinBookings,
    /** Whether the next sync falls in busy hours (false when there is none). */
    next_sync_busy: z.boolean(),
    /** Why there is no next sync: null when one is scheduled. */
    schedule_off_reason: z.enum(SCHEDULE_OFF_REASONS).nullable(),
    /** The hotel's room count from its last sync (null before one): the recommended interval follows it. */
    rooms_total: z.number().int().nullable(),
  })
  .meta({ id: "FrequentSyncSettings" });

export const frequentSyncSavedSchema = frequentSyncViewSchema
  .extend({
    schedule_pending: z.boolean(),
    message: z.string().optional(),
  })
  .meta({ id: "FrequentSyncSettingsSaved" });

export const DEFAULT_NEWBOOK_BASE_URL = "https://api.newbook.cloud/rest";

const REGION_MESSAGE = `region must be one of: ${NEWBOOK_REGIONS.join(", ")}`;
const region = z
  .string({ error: REGION_MESSAGE })
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(NEWBOOK_REGIONS, { error: REGION_MESSAGE }));
const baseUrl = z
  .string({ error: "base_url must be an http(s) URL" })
  .trim()
  .max(500, { error: "base_url is too long" })
  // A query or fragment would be sent along (or silently dropped), and credentials in the URL would leave
  // with every request: none of them belongs in a Newbook base URL.
  .refine((v) => !/[?#]/.test(v), { error: "base_url must not contain ? or #" })
  .refine((v) => !/^[a-z]+:\/\/[^/]*@/i.test(v), { error: "base_url must not contain credentials (user@)" })
  .pipe(z.url({ protocol: /^https?$/, error: "base_url must be an http(s) URL" }))
  .transform((v) => v.replace(/\/+$/, ""));
const secret = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .min(1, { error: `${field} must not be empty` })
    .max(500, { error: `${field} is too long` });
const glAccountIds = (field: string) =>
  z
    .array(
      z
        .string({ error: `${field} must be a list of GL account ids (strings)` })
        .trim()
        .min(1, { error: `${field} entries must not be empty` })
        .max(64, { error: `${field} entries are at most 64 characters` }),
      { error: `${field} must be a list of GL account ids (strings)` },
    )
    .max(200, { error: `${field} has at most 200 entries` });

export const connectionBodySchema = z
  .object({
    base_url: baseUrl.optional(),
    region,
    username: z
      .string({ error: "username is required" })
      .trim()
      .min(1, { error: "username is required" })
      .max(200, { error: "username is too long" }),
    password: secret("password").optional(),
    api_key: secret("api_key").optional(),
    breakfast_gl_account_ids: glAccountIds("breakfast_gl_account_ids").optional(),
    dinner_gl_account_ids: glAccountIds("dinner_gl_account_ids").optional(),
    /** New credentials are tested first; a failed test stops the save unless this confirms it. */
    save_if_test_fails: z.boolean({ error: "save_if_test_fails must be true or false" }).optional(),
  })
  .meta({ id: "NewbookConnectionUpdate" });

export const connectionTestBodySchema = z
  .object({
    base_url: baseUrl.optional(),
    region: region.optional(),
    username: z.string().trim().min(1, { error: "username must not be empty" }).max(200).optional(),
    password: secret("password").optional(),
    api_key: secret("api_key").optional(),
  })
  .meta({ id: "NewbookConnectionTest" });

export const connectionViewSchema = z
  .object({
    configured: z.boolean(),
    base_url: z.string(),
    region: z.enum(NEWBOOK_REGIONS).nullable(),
    username: z.string().nullable(),
    password_set: z.boolean(),
    api_key_set: z.boolean(),
    breakfast_gl_account_ids: z.array(z.string()),
    dinner_gl_account_ids: z.array(z.string()),
    rooms_total: z.number().int().nullable(),
    updated_at: nullableTimestamp,
    /** When these credentials last proved to work; null: not yet, so the kitchen does not sync on its own. */
    verified_at: nullableTimestamp,
    /** The region a first connection starts from, guessed from the kitchen's time zone. */
    suggested_region: z.enum(NEWBOOK_REGIONS).nullable(),
  })
  .meta({ id: "NewbookConnection" });

export const connectionTestResultSchema = z
  .discriminatedUnion("ok", [
    z.object({
      ok: z.literal(true),
      rooms: z.number().int(),
      categories: z.number().int(),
      gl_accounts: z.array(
        z.object({
          id: z.string(),
          code: z.string().nullable(),
          name: z.string(),
          group: z.string().nullable(),
        }),
      ),
    }),
    z.object({ ok: z.literal(false), reason: z.string() }),
  ])
  .meta({ id: "NewbookConnectionTestResult" });

export const connectionSavedSchema = connectionViewSchema
  .extend({
    schedule_pending: z.boolean(),
    message: z.string().optional(),
    /** The test new credentials passed (or failed, when saved anyway); absent when they did not change. */
    test: connectionTestResultSchema.optional(),
    /** The sync a save starts at once (null when automatic sync is off or the queue could not take it). */
    sync_run_id: z.string().nullable(),
  })
  .meta({ id: "NewbookConnectionSaved" });
