/**
 * The REST contract as types, for clients (the admin UI imports these with `import type`): each one is derived
 * from the zod schema that validates or documents it, so the OpenAPI document, the handlers and the clients
 * cannot drift apart. Requests are what a client sends (schema input); responses what the API returns.
 */
import type { SYNC_INTERVALS } from "@occ/db";
import type { z } from "zod";
import type { sseSyncEvent } from "./http/sse";
import type {
  fleetSchema,
  kitchenBodySchema,
  kitchenHealthSchema,
  kitchenListSchema,
  kitchenPatchSchema,
  kitchensHealthQuerySchema,
  kitchensHealthSchema,
  kitchenViewSchema,
  queuesSessionSchema,
  userBodySchema,
  userListSchema,
  userPatchSchema,
  userViewSchema,
} from "./schemas/admin";
import type {
  kitchenSchema,
  loginBodySchema,
  loginResponseSchema,
  meResponseSchema,
  roleSchema,
} from "./schemas/auth";
import type { errorResponseSchema } from "./schemas/common";
import type {
  ALERT_STATES,
  alertSchema,
  alertsResponseSchema,
  changeFeedSchema,
  freshnessSchema,
  occupancyDaySchema,
  occupancyResponseSchema,
  residentStaySchema,
  residentsResponseSchema,
} from "./schemas/data";
import type { arrivalsResponseSchema, kitchenInfoSchema, sheetResponseSchema } from "./schemas/kitchen-day";
import type {
  connectionBodySchema,
  connectionSavedSchema,
  connectionTestBodySchema,
  connectionTestResultSchema,
  connectionViewSchema,
  frequentSyncPatchSchema,
  frequentSyncSavedSchema,
  frequentSyncViewSchema,
} from "./schemas/settings";
import type {
  historicalBodySchema,
  historicalResponseSchema,
  historicalSyncSchema,
  historicalSyncsSchema,
  jobStatusSchema,
  resumeResponseSchema,
  STATS_PERIODS,
  syncNowResponseSchema,
  syncRunSchema,
  syncRunsResponseSchema,
  syncStatsSchema,
} from "./schemas/sync";

/**
 * Every path the API serves under /api, by name. Plain values (this module imports only types), so a
 * browser bundle can take them; `:name` segments are route parameters, filled in by the client.
 */
export const API_PATHS = {
  login: "/api/auth/login",
  logoutEverywhere: "/api/auth/logout-everywhere",
  me: "/api/me",
  frequentSyncSettings: "/api/settings/newbook-frequent-sync",
  connection: "/api/settings/newbook-connection",
  connectionTest: "/api/settings/newbook-connection/test",
  syncNow: "/api/newbook/frequent-sync/run",
  syncRuns: "/api/newbook/sync-runs",
  syncRun: "/api/newbook/sync-runs/:run_id",
  historicalSync: "/api/newbook/sync",
  historicalSyncs: "/api/newbook/historical-syncs",
  historicalSyncJob: "/api/newbook/sync/:job_id",
  historicalSyncResume: "/api/newbook/sync/:job_id/resume",
  syncStats: "/api/newbook/sync-stats",
  occupancy: "/api/occupancy",
  residents: "/api/residents",
  changes: "/api/changes",
  events: "/api/events",
  alerts: "/api/alerts",
  arrivals: "/api/arrivals",
  sheet: "/api/sheets/:meal",
  sheetCsv: "/api/sheets/:meal/csv",
  kitchens: "/api/admin/kitchens",
  kitchen: "/api/admin/kitchens/:id",
  kitchensHealth: "/api/admin/kitchens/health",
  fleet: "/api/admin/fleet",
  users: "/api/admin/users",
  user: "/api/admin/users/:id",
  queuesSession: "/api/admin/queues-session",
} as const;
export type ApiPath = (typeof API_PATHS)[keyof typeof API_PATHS];
/** The names of a path's `:name` segments. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The `error` member of every error response (the body is `{ error: ApiErrorBody }`). */
export type ApiErrorBody = z.output<typeof errorResponseSchema>["error"];
export type FieldIssue = Extract<NonNullable<ApiErrorBody["details"]>, unknown[]>[number];

// Auth
export type Role = z.output<typeof roleSchema>;
export type LoginRequest = z.input<typeof loginBodySchema>;
export type LoginResponse = z.output<typeof loginResponseSchema>;
export type KitchenSummary = z.output<typeof kitchenSchema>;
export type Me = z.output<typeof meResponseSchema>;

// Settings
export type FrequentSyncSettings = z.output<typeof frequentSyncViewSchema>;
export type FrequentSyncSettingsSaved = z.output<typeof frequentSyncSavedSchema>;
export type FrequentSyncSettingsPatch = z.input<typeof frequentSyncPatchSchema>;
export type SyncInterval = (typeof SYNC_INTERVALS)[number];
export type SyncStatus = NonNullable<FrequentSyncSettings["last_sync_status"]>;
export type NewbookConnection = z.output<typeof connectionViewSchema>;
export type NewbookConnectionSaved = z.output<typeof connectionSavedSchema>;
export type NewbookConnectionUpdate = z.input<typeof connectionBodySchema>;
export type NewbookConnectionTest = z.input<typeof connectionTestBodySchema>;
export type NewbookConnectionTestResult = z.output<typeof connectionTestResultSchema>;
export type Region = NonNullable<NewbookConnection["region"]>;
export type GlAccount = Extract<NewbookConnectionTestResult, { ok: true }>["gl_accounts"][number];

// Sync
export type SyncNowResult = z.output<typeof syncNowResponseSchema>;
export type SyncRun = z.output<typeof syncRunSchema>;
export type RunStatus = SyncRun["status"];
export type SyncRunPage = z.output<typeof syncRunsResponseSchema>;
export type HistoricalSyncRequest = z.input<typeof historicalBodySchema>;
export type HistoricalSyncQueued = z.output<typeof historicalResponseSchema>;
export type HistoricalSyncStatus = z.output<typeof jobStatusSchema>;
export type HistoricalSyncResumed = z.output<typeof resumeResponseSchema>;
export type HistoricalSync = z.output<typeof historicalSyncSchema>;
export type HistoricalSyncList = z.output<typeof historicalSyncsSchema>;
export type StatsPeriod = (typeof STATS_PERIODS)[number];
export type SyncStats = z.output<typeof syncStatsSchema>;
export type SyncStatsBucket = SyncStats["series"][number];

// Data
export type OccupancyDay = z.output<typeof occupancyDaySchema>;
/** The figures of one day that a sync can change. */
export type DayFigures = Omit<
  OccupancyDay,
  "date" | "is_forecast" | "fetched_at" | "changed_at" | "previous"
>;
export type Occupancy = z.output<typeof occupancyResponseSchema>;
export type ResidentStay = z.output<typeof residentStaySchema>;
export type Residents = z.output<typeof residentsResponseSchema>;
export type Freshness = z.output<typeof freshnessSchema>;
export type ChangeFeed = z.output<typeof changeFeedSchema>;
export type ChangeFeedEntry = ChangeFeed["entries"][number];
/** The data of an `event: sync` frame on GET /api/events. */
export type KitchenSyncEvent = ReturnType<typeof sseSyncEvent>;
export type KitchenInfo = z.output<typeof kitchenInfoSchema>;
export type Arrivals = z.output<typeof arrivalsResponseSchema>;
export type ArrivalDay = Arrivals["days"][number];
export type ArrivalHour = ArrivalDay["hours"][number];
export type ArrivalRow = ArrivalHour["arrivals"][number];
export type MealSheet = z.output<typeof sheetResponseSchema>;
export type SheetMeal = MealSheet["meal"];
export type MealPlan = ArrivalRow["meal_plan"];
export type AlertState = (typeof ALERT_STATES)[number];
export type Alert = z.output<typeof alertSchema>;
export type Alerts = z.output<typeof alertsResponseSchema>;

// Admin
export type KitchenHealth = z.output<typeof kitchenHealthSchema>;
export type KitchensHealth = z.output<typeof kitchensHealthSchema>;
export type KitchenState = KitchenHealth["state"];
export type HealthSort = z.output<typeof kitchensHealthQuerySchema>["sort"];
export type Kitchen = z.output<typeof kitchenViewSchema>;
export type KitchenList = z.output<typeof kitchenListSchema>;
export type KitchenCreate = z.input<typeof kitchenBodySchema>;
export type KitchenUpdate = z.input<typeof kitchenPatchSchema>;
export type User = z.output<typeof userViewSchema>;
export type UserList = z.output<typeof userListSchema>;
export type UserCreate = z.input<typeof userBodySchema>;
export type UserUpdate = z.input<typeof userPatchSchema>;
export type QueuesSession = z.output<typeof queuesSessionSchema>;
export type Fleet = z.output<typeof fleetSchema>;
