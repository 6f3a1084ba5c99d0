import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const SYNC_INTERVALS = [5, 10, 15, 30, 60] as const;
export const DAYS_AHEAD_MIN = 1;
export const DAYS_AHEAD_MAX = 30;
/**
 * CHANGE_WEBHOOK_URL gets a sync's change set when at least this many bookings changed for the kitchen's
 * today or tomorrow (per kitchen; null: never for this kitchen).
 */
export const CHANGE_WEBHOOK_MIN_BOOKINGS_DEFAULT = 3;
export const CHANGE_WEBHOOK_MIN_BOOKINGS_MAX = 1000;
export const SYNC_STATUSES = ["running", "success", "failed", "skipped"] as const;
export const RUN_STATUSES = ["queued", "running", "success", "failed", "skipped"] as const;
export const RUN_KINDS = ["frequent", "historical"] as const;
/**
 * How a successful next-days run read Newbook: only the bookings changed since the last read (the change
 * feed), or the whole window. Historical runs always read their span whole and record none.
 */
export const RUN_READS = ["changes", "whole"] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunKind = (typeof RUN_KINDS)[number];
export type RunRead = (typeof RUN_READS)[number];

/** One busy-hours window in the kitchen's local time, "HH:MM" to "HH:MM" (start before end, same day). */
export interface BusyWindow {
  start: string;
  end: string;
}
/**
 * `newbook_frequent_sync_settings.health_rank`: the ops view's state as far as one row tells it, in the
 * view's "failing first" order. Rank 1 is "stale", which depends on the time and is decided at query time
 * for the ranks it can override (never synced, running, ok).
 */
export const HEALTH_RANKS = {
  failing: 0,
  never_synced: 2,
  running: 3,
  ok: 4,
  disabled: 5,
  not_connected: 6,
} as const;
export const STALE_CAPABLE_RANKS = [
  HEALTH_RANKS.never_synced,
  HEALTH_RANKS.running,
  HEALTH_RANKS.ok,
] as const;
export const USER_ROLES = ["manager", "admin"] as const;
export type Role = (typeof USER_ROLES)[number];
/** Newbook's API regions: the `region` every request carries. */
export const NEWBOOK_REGIONS = ["au", "ap", "eu", "us", "uk"] as const;
export type Region = (typeof NEWBOOK_REGIONS)[number];

export const kitchens = pgTable(
  "kitchens",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull(),
    /** IANA zone: "today" and every date in the kitchen's data are local to it. */
    timezone: text("timezone").notNull(),
    ...timestamps,
  },
  // The ops view sorted by name walks this index a page at a time.
  (t) => [index("kitchens_name_idx").on(sql`lower(${t.name})`, t.id)],
);

export const users = pgTable(
  "users",
  {
    id: serial("id").primaryKey(),
    kitchenId: integer("kitchen_id").references(() => kitchens.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: varchar("role", { length: 16 }).notNull().default("manager"),
    /** Bumped when the password is reset: tokens carry the version they were issued under. */
    tokenVersion: integer("token_version").notNull().default(0),
    /** A deactivated user cannot sign in and their tokens stop working; the row stays for history. */
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
    check("users_role_check", sql`${t.role} in ('manager', 'admin')`),
    check("users_manager_has_kitchen", sql`${t.role} = 'admin' or ${t.kitchenId} is not null`),
  ],
);

export const newbookConnections = pgTable("newbook_connections", {
  kitchenId: integer("kitchen_id")
    .primaryKey()
    .references(() => kitchens.id, { onDelete: "cascade" }),
  baseUrl: text("base_url").notNull().default("https://api.newbook.cloud/rest"),
  region: varchar("region", { length: 8 }).notNull(),
  username: text("username").notNull(),
  /** AES-256-GCM envelopes (see core/crypto); never plain text. */
  passwordEnc: text("password_enc").notNull(),
  apiKeyEnc: text("api_key_enc").notNull(),
  breakfastGlAccountIds: jsonb("breakfast_gl_account_ids").$type<string[]>().notNull().default([]),
  dinnerGlAccountIds: jsonb("dinner_gl_account_ids").$type<string[]>().notNull().default([]),
  roomsTotal: integer("rooms_total"),
  roomsRefreshedAt: timestamp("rooms_refreshed_at", { withTimezone: true }),
  /**
   * When these credentials last proved to work (a passed connection test or a successful sync); null until
   * then, and a kitchen is not synced automatically before it. The API always sets it on save; the default
   * only covers rows from before this column, which had been syncing under the old rules.
   */
  verifiedAt: timestamp("verified_at", { withTimezone: true }).defaultNow(),
  ...timestamps,
});

export const newbookFrequentSyncSettings = pgTable(
  "newbook_frequent_sync_settings",
  {
    id: serial("id").primaryKey(),
    kitchenId: integer("kitchen_id")
      .notNull()
      .unique()
      .references(() => kitchens.id, { onDelete: "cascade" }),
    isEnabled: boolean("is_enabled").notNull().default(true),
    syncIntervalMinutes: integer("sync_interval_minutes").notNull().default(15),
    daysAhead: integer("days_ahead").notNull().default(7),
    lastSyncAt: timestamp("last_sync_at", { withTimezone: true }),
    lastSyncStatus: varchar("last_sync_status", { length: 20 }),
    lastErrorMessage: text("last_error_message"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    nextSyncAt: timestamp("next_sync_at", { withTimezone: true }),
    lastDurationMs: integer("last_duration_ms"),
    /**
     * What the last successful next-days sync read and derived from (see core's ListingFingerprint): a
     * run whose Newbook answer and inputs match it skips parsing, row building and writes.
     */
    listingFingerprint: jsonb("listing_fingerprint").$type<{
      inputs: string;
      pages: string[];
      bookings: number;
      days?: Record<string, string>;
      fullReadAt?: string;
      changesSince?: string;
      recent?: Array<[string, string]>;
      feedPage?: string;
    }>(),
    /** Code of the last final failure (e.g. newbook_auth); null after a success. */
    lastErrorCode: varchar("last_error_code", { length: 40 }),
    /** Local-time windows in which the kitchen syncs every busy_interval_minutes instead. */
    busyHours: jsonb("busy_hours").$type<BusyWindow[]>().notNull().default([]),
    busyIntervalMinutes: integer("busy_interval_minutes"),
    /**
     * Whether the kitchen has a Newbook connection, kept here (set when a connection is saved, repaired by
     * the reconciler) so the ops view's state is one row's business and its indexes can serve the sorts.
     */
    hasConnection: boolean("has_connection").notNull().default(false),
    /**
     * The ops view's state without the time-dependent "stale" (see HEALTH_RANKS), computed by PostgreSQL on
     * every write of the row whatever wrote it: its indexes serve the "failing first" page without a scan.
     */
    healthRank: smallint("health_rank").generatedAlwaysAs(
      sql.raw(`case when not has_connection then ${HEALTH_RANKS.not_connected}
        when not is_enabled then ${HEALTH_RANKS.disabled} when consecutive_failures > 0 then ${HEALTH_RANKS.failing}
        when last_sync_status = 'running' then ${HEALTH_RANKS.running}
        when last_sync_at is null then ${HEALTH_RANKS.never_synced} else ${HEALTH_RANKS.ok} end`),
    ),
    /** Staleness counts from here: the last success, or the settings' creation when there was none. */
    staleFrom: timestamp("stale_from", { withTimezone: true }).generatedAlwaysAs(
      sql`greatest(last_success_at, created_at)`,
    ),
    /** See CHANGE_WEBHOOK_MIN_BOOKINGS_DEFAULT; null turns the change webhook off for the kitchen. */
    changeWebhookMinBookings: integer("change_webhook_min_bookings").default(
      CHANGE_WEBHOOK_MIN_BOOKINGS_DEFAULT,
    ),
    ...timestamps,
  },
  (t) => [
    // The ops view: one index walk per state segment in "failing first" order, and one per other sort.
    index("settings_health_attention_idx").on(
      t.healthRank,
      t.consecutiveFailures.desc().nullsFirst(),
      t.lastSuccessAt.asc().nullsFirst(),
      t.kitchenId,
    ),
    index("settings_health_last_success_idx").on(t.lastSuccessAt.asc().nullsFirst(), t.kitchenId),
    index("settings_health_next_sync_idx").on(t.nextSyncAt, t.kitchenId),
    index("settings_health_failures_idx").on(t.consecutiveFailures.desc().nullsFirst(), t.kitchenId),
    check("sync_interval_check", sql`${t.syncIntervalMinutes} in (5, 10, 15, 30, 60)`),
    check(
      "busy_interval_check",
      sql`${t.busyIntervalMinutes} is null or ${t.busyIntervalMinutes} in (5, 10, 15, 30, 60)`,
    ),
    check("days_ahead_check", sql`${t.daysAhead} between 1 and 30`),
    check(
      "change_webhook_min_bookings_check",
      sql`${t.changeWebhookMinBookings} is null or ${t.changeWebhookMinBookings} between 1 and ${sql.raw(String(CHANGE_WEBHOOK_MIN_BOOKINGS_MAX))}`,
    ),
    check(
      "last_sync_status_check",
      sql`${t.lastSyncStatus} is null or ${t.lastSyncStatus} in ('running', 'success', 'failed', 'skipped')`,
    ),
    check("consecutive_failures_check", sql`${t.consecutiveFailures} >= 0`),
  ],
);

export const syncRuns = pgTable(
  "sync_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kitchenId: integer("kitchen_id")
      .notNull()
      .references(() => kitchens.id, { onDelete: "cascade" }),
    kind: varchar("kind", { length: 16 }).notNull(),
    /** What asked for the run: schedule, sync_now, historical, ... */
    trigger: varchar("trigger", { length: 32 }).notNull(),
    status: varchar("status", { length: 16 }).notNull().default("queued"),
    windowFrom: date("window_from", { mode: "string" }).notNull(),
    windowTo: date("window_to", { mode: "string" }).notNull(),
    jobId: text("job_id"),
    attempt: integer("attempt").notNull().default(1),
    queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
    newbookCalls: integer("newbook_calls").notNull().default(0),
    /** RUN_READS: set when a next-days run succeeds; null before, and for historical runs. */
    read: varchar("read", { length: 8 }).$type<RunRead>(),
    bookingsFetched: integer("bookings_fetched").notNull().default(0),
    rowsChanged: integer("rows_changed").notNull().default(0),
    dbMs: integer("db_ms"),
    progressDone: integer("progress_done").notNull().default(0),
    progressTotal: integer("progress_total").notNull().default(0),
    errorMessage: text("error_message"),
    errorCode: varchar("error_code", { length: 40 }),
    /** The run this one repeats (a Bull Board retry, a retry after a crash, a resumed historical sync). */
    retryOf: uuid("retry_of"),
    /** The user who asked for it (historical syncs and their resumes); null for scheduled runs. */
    requestedBy: integer("requested_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    index("sync_runs_kitchen_started_idx").on(t.kitchenId, t.queuedAt),
    // Only the few runs in flight: the reconciler's abandoned-run sweep and its settings repair read
    // these every minute, and must not scan a table that grows by a run per kitchen every few minutes.
    index("sync_runs_in_flight_idx")
      .on(t.kitchenId, t.startedAt)
      .where(sql`${t.status} in ('running', 'queued')`),
    // A kitchen's failed next-days runs (the ops view's reason and failure streak per kitchen on a page),
    // without walking its many successful ones.
    index("sync_runs_failed_idx")
      .on(t.kitchenId, t.queuedAt)
      .where(sql`${t.status} = 'failed' and ${t.kind} <> 'historical'`),
    // A kitchen's historical syncs (settings page), without walking its many scheduled runs.
    index("sync_runs_historical_idx").on(t.kitchenId, t.queuedAt).where(sql`${t.kind} = 'historical'`),
    // Deleting a user clears their requests (ON DELETE SET NULL) through the few runs that have one.
    index("sync_runs_requested_by_idx").on(t.requestedBy).where(sql`${t.requestedBy} is not null`),
    // Retention rolls up and deletes old runs across all kitchens by age.
    index("sync_runs_queued_at_idx").on(t.queuedAt),
    // A run is repeated at most once (repeats of a repeat chain on), so two concurrent resumes cannot both win.
    uniqueIndex("sync_runs_retry_of_key").on(t.retryOf),
    check("sync_runs_kind_check", sql`${t.kind} in ('frequent', 'historical')`),
    check(
      "sync_runs_status_check",
      sql`${t.status} in ('queued', 'running', 'success', 'failed', 'skipped')`,
    ),
    check("sync_runs_window_check", sql`${t.windowFrom} <= ${t.windowTo}`),
  ],
);

/** One inventory item as kept for meal classification (breakfast/dinner by GL account or name). */
export interface StoredItem {
  stayDate: string;
  glAccountId: string | null;
  name: string;
}

/** A named guest of a booking as the kitchen sees them: personal data, purged after departure. */
export interface StoredGuest {
  name: string;
  dietary: string[];
  vip: boolean;
}

export const bookings = pgTable(
  "bookings",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kitchenId: integer("kitchen_id")
      .notNull()
      .references(() => kitchens.id, { onDelete: "cascade" }),
    newbookId: text("newbook_id").notNull(),
    groupId: text("group_id"),
    status: text("status").notNull(),
    arrivalDate: date("arrival_date", { mode: "string" }).notNull(),
    departureDate: date("departure_date", { mode: "string" }).notNull(),
    arrivalAt: text("arrival_at"),
    departureAt: text("departure_at"),
    adults: integer("adults").notNull().default(0),
    children: integer("children").notNull().default(0),
    infants: integer("infants").notNull().default(0),
    siteId: text("site_id"),
    siteName: text("site_name"),
    categoryName: text("category_name"),
    guestName: text("guest_name"),
    items: jsonb("items").$type<StoredItem[]>().notNull().default([]),
    groupName: text("group_name"),
    /** Expected arrival "HH:MM", property-local. */
    eta: varchar("eta", { length: 5 }),
    /** Property-local "YYYY-MM-DD HH:MM:SS" the guest checked in. */
    checkedInAt: text("checked_in_at"),
    guests: jsonb("guests").$type<StoredGuest[]>().notNull().default([]),
    /** Only the notes a kitchen acts on (food, allergies, celebrations). */
    kitchenNotes: jsonb("kitchen_notes").$type<string[]>().notNull().default([]),
    /** Hash of the fields above, so an unchanged booking is never rewritten. */
    contentHash: text("content_hash").notNull(),
    /**
     * Digest of the booking's raw JSON as Newbook last sent it, when the stored content came from it (null:
     * unknown). A booking sent again with the same digest has the same stored content: the next-days sync
     * neither validates nor rebuilds it, and derives from the stored row.
     */
    rawDigest: text("raw_digest"),
    lastSeenRunId: uuid("last_seen_run_id"),
    /** Set when retention removed the guests' personal data (names, dietary needs, notes). */
    personalDataPurgedAt: timestamp("personal_data_purged_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("bookings_kitchen_newbook_id_key").on(t.kitchenId, t.newbookId),
    index("bookings_kitchen_stay_idx").on(t.kitchenId, t.arrivalDate, t.departureDate),
    // Retention walks departures across all kitchens: what still holds personal data, what is old enough.
    index("bookings_departure_idx").on(t.departureDate),
    // Only the bookings still holding personal data: each purge batch reads what it purges, not the
    // ever-growing set of bookings purged before.
    index("bookings_unpurged_departure_idx")
      .on(t.departureDate)
      .where(sql`${t.personalDataPurgedAt} is null`),
  ],
);

export interface RoomNight {
  room: string;
  siteId: string | null;
  bookingId: string;
  groupId: string | null;
  guestName: string | null;
  adults: number;
  children: number;
  infants: number;
  arrival: string;
  departure: string;
  hasBreakfast: boolean;
  isDbb: boolean;
}

export const dailyOccupancy = pgTable(
  "daily_occupancy",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kitchenId: integer("kitchen_id")
      .notNull()
      .references(() => kitchens.id, { onDelete: "cascade" }),
    date: date("date", { mode: "string" }).notNull(),
    roomsAvailable: integer("rooms_available"),
    roomsOccupied: integer("rooms_occupied").notNull().default(0),
    adults: integer("adults").notNull().default(0),
    children: integer("children").notNull().default(0),
    infants: integer("infants").notNull().default(0),
    arrivals: integer("arrivals").notNull().default(0),
    arrivalGuests: integer("arrival_guests").notNull().default(0),
    departures: integer("departures").notNull().default(0),
    departureGuests: integer("departure_guests").notNull().default(0),
    breakfastCovers: integer("breakfast_covers").notNull().default(0),
    dinnerCovers: integer("dinner_covers").notNull().default(0),
    roomBreakdown: jsonb("room_breakdown").$type<RoomNight[]>().notNull().default([]),
    /** Figures before the last change, so the UI can highlight what a sync changed. */
    previousFigures: jsonb("previous_figures").$type<Record<string, number | null>>(),
    changedAt: timestamp("changed_at", { withTimezone: true }),
    sourceRunId: uuid("source_run_id"),
    fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("daily_occupancy_kitchen_date_key").on(t.kitchenId, t.date),
    // Only the nights whose room breakdown still names guests (retention scrubs them once old enough).
    index("daily_occupancy_named_date_idx")
      .on(t.date)
      .where(sql`jsonb_path_exists(${t.roomBreakdown}, '$[*] ? (@.guestName != null)')`),
  ],
);

export const revenueDaily = pgTable(
  "revenue_daily",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kitchenId: integer("kitchen_id")
      .notNull()
      .references(() => kitchens.id, { onDelete: "cascade" }),
    date: date("date", { mode: "string" }).notNull(),
    glAccountId: text("gl_account_id").notNull(),
    glAccountCode: text("gl_account_code"),
    description: text("description"),
    gross: numeric("gross", { precision: 14, scale: 2 }).notNull(),
    net: numeric("net", { precision: 14, scale: 2 }).notNull(),
    tax: numeric("tax", { precision: 14, scale: 2 }).notNull(),
    sourceRunId: uuid("source_run_id"),
    fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("revenue_daily_kitchen_date_gl_key").on(t.kitchenId, t.date, t.glAccountId)],
);

/**
 * One row per kitchen, UTC day and kind: what retention keeps of the runs it deletes, so the history
 * charts can still show days whose individual runs are gone.
 */
export const syncRunDaily = pgTable(
  "sync_run_daily",
  {
    kitchenId: integer("kitchen_id")
      .notNull()
      .references(() => kitchens.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    kind: varchar("kind", { length: 16 }).notNull(),
    runs: integer("runs").notNull(),
    successes: integer("successes").notNull(),
    failures: integer("failures").notNull(),
    skipped: integer("skipped").notNull(),
    newbookFailures: integer("newbook_failures").notNull(),
    /** Sum and count of the durations of decided (success/failed) runs: averages stay exact. */
    durationMsSum: bigint("duration_ms_sum", { mode: "number" }).notNull(),
    durationCount: integer("duration_count").notNull(),
    durationMsMax: integer("duration_ms_max"),
    newbookCalls: bigint("newbook_calls", { mode: "number" }).notNull(),
    rowsChanged: bigint("rows_changed", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kitchenId, t.day, t.kind] })],
);

export const INCIDENT_KINDS = ["newbook_outage"] as const;

/**
 * A fleet-wide incident: many kitchens failing the same way against the same Newbook host and region.
 * It is notified once (listing the kitchens) instead of once per kitchen; kitchen alerts link to it.
 */
export const incidents = pgTable(
  "incidents",
  {
    id: serial("id").primaryKey(),
    kind: varchar("kind", { length: 32 }).notNull(),
    host: text("host").notNull(),
    region: varchar("region", { length: 8 }).notNull(),
    errorCode: varchar("error_code", { length: 40 }).notNull(),
    state: varchar("state", { length: 16 }).notNull().default("open"),
    message: text("message").notNull(),
    /** Every kitchen that failed this way while the incident was open. */
    kitchenIds: jsonb("kitchen_ids").$type<number[]>().notNull().default([]),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("incidents_one_open")
      .on(t.kind, t.host, t.region, t.errorCode)
      .where(sql`${t.state} = 'open'`),
    check("incidents_kind_check", sql`${t.kind} in ('newbook_outage')`),
    check("incidents_state_check", sql`${t.state} in ('open', 'resolved')`),
  ],
);

export const alerts = pgTable(
  "alerts",
  {
    id: serial("id").primaryKey(),
    kitchenId: integer("kitchen_id")
      .notNull()
      .references(() => kitchens.id, { onDelete: "cascade" }),
    kind: varchar("kind", { length: 32 }).notNull(),
    severity: varchar("severity", { length: 16 }).notNull(),
    state: varchar("state", { length: 16 }).notNull().default("open"),
    message: text("message").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>(),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    /** The fleet incident this kitchen's alert is part of (notified there, not on its own). */
    incidentId: integer("incident_id").references(() => incidents.id, { onDelete: "set null" }),
  },
  (t) => [
    // One open incident per kitchen and kind: repeated failures update it rather than pile up.
    uniqueIndex("alerts_one_open_per_kind").on(t.kitchenId, t.kind).where(sql`${t.state} = 'open'`),
    index("alerts_resolved_at_idx").on(t.resolvedAt).where(sql`${t.state} = 'resolved'`),
    check(
      "alerts_kind_check",
      sql`${t.kind} in ('consecutive_failures', 'credentials_rejected', 'stale', 'slow_sync')`,
    ),
    check("alerts_severity_check", sql`${t.severity} in ('critical', 'warning')`),
    check("alerts_state_check", sql`${t.state} in ('open', 'resolved')`),
  ],
);

export const BOOKING_CHANGE_KINDS = ["added", "cancelled", "changed"] as const;
export const BOOKING_CHANGE_FIELDS = ["dates", "room", "guests", "meal_plan"] as const;
export type BookingChangeKind = (typeof BOOKING_CHANGE_KINDS)[number];
export type BookingChangeField = (typeof BOOKING_CHANGE_FIELDS)[number];
export const MEAL_PLANS = ["room_only", "breakfast", "dinner", "dbb"] as const;
export type MealPlan = (typeof MEAL_PLANS)[number];

/** A booking as the kitchen sees it, before or after a change. */
export interface BookingSnapshot {
  arrival: string;
  departure: string;
  room: string | null;
  adults: number;
  children: number;
  infants: number;
  mealPlan: MealPlan;
}

/** What one booking's change does to one date's kitchen figures (non-zero entries only). */
export interface DayDelta {
  date: string;
  arrivals: number;
  guests: number;
  breakfastCovers: number;
  dinnerCovers: number;
}

/**
 * The change set of a sync: one row per booking added, cancelled or changed in the window, written in
 * the run's own transaction, so a feed entry exists exactly when the figures it explains do.
 */
export const bookingChanges = pgTable(
  "booking_changes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kitchenId: integer("kitchen_id")
      .notNull()
      .references(() => kitchens.id, { onDelete: "cascade" }),
    runId: uuid("run_id")
      .notNull()
      .references(() => syncRuns.id, { onDelete: "cascade" }),
    /** When the run that saw the change committed (its finish time). */
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull(),
    bookingId: text("booking_id").notNull(),
    kind: varchar("kind", { length: 16 }).$type<BookingChangeKind>().notNull(),
    room: text("room"),
    guestName: text("guest_name"),
    fields: jsonb("fields").$type<BookingChangeField[]>().notNull().default([]),
    before: jsonb("before").$type<BookingSnapshot>(),
    after: jsonb("after").$type<BookingSnapshot>(),
    deltas: jsonb("deltas").$type<DayDelta[]>().notNull().default([]),
  },
  (t) => [
    index("booking_changes_kitchen_synced_idx").on(t.kitchenId, t.syncedAt),
    index("booking_changes_run_idx").on(t.runId),
    check("booking_changes_kind_check", sql`${t.kind} in ('added', 'cancelled', 'changed')`),
  ],
);
