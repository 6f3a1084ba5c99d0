/** Response and request shapes of the REST API (snake_case, as the API sends them). */

export type Role = "manager" | "admin";

export interface Kitchen {
  id: number;
  name: string;
  timezone: string;
}

export interface Me {
  user: { id: number; email: string; role: Role; kitchen_id: number | null };
  kitchen: Kitchen | null;
}

export interface LoginResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
}

export type SyncStatus = "running" | "success" | "failed" | "skipped";
export const SYNC_INTERVALS = [5, 10, 15, 30, 60] as const;
export type SyncInterval = (typeof SYNC_INTERVALS)[number];

export interface FrequentSyncSettings {
  is_enabled: boolean;
  sync_interval_minutes: number;
  days_ahead: number;
  last_sync_at: string | null;
  last_sync_status: SyncStatus | null;
  last_error_message: string | null;
  consecutive_failures: number;
  last_success_at: string | null;
  next_sync_at: string | null;
  last_duration_ms: number | null;
  stale: boolean;
  effective_interval_minutes: number;
  schedule_pending?: boolean;
  message?: string;
}

export interface FrequentSyncUpdate {
  is_enabled?: boolean;
  sync_interval_minutes?: number;
  days_ahead?: number;
}

export type Region = "au" | "ap" | "eu" | "us" | "uk";
export const REGIONS: readonly Region[] = ["au", "ap", "eu", "us", "uk"];

export interface NewbookConnection {
  configured: boolean;
  /** The region's default endpoint unless overridden. */
  base_url: string;
  region: Region | null;
  username: string | null;
  password_set: boolean;
  api_key_set: boolean;
  breakfast_gl_account_ids: string[];
  dinner_gl_account_ids: string[];
  rooms_total: number | null;
  updated_at: string | null;
}

export interface NewbookConnectionSaved extends NewbookConnection {
  schedule_pending: boolean;
  message?: string;
}

/** Unsaved values to test; anything left out falls back to the saved connection. */
export interface NewbookConnectionTest {
  base_url?: string;
  region?: Region;
  username?: string;
  password?: string;
  api_key?: string;
}

export interface NewbookConnectionUpdate {
  base_url?: string;
  region: Region;
  username: string;
  password?: string;
  api_key?: string;
  breakfast_gl_account_ids?: string[];
  dinner_gl_account_ids?: string[];
}

export interface GlAccount {
  id: string;
  code: string | null;
  name: string;
  group: string | null;
}

export type ConnectionTestResult =
  | { ok: true; rooms: number; categories: number; gl_accounts: GlAccount[] }
  | { ok: false; reason: string };

export type RunStatus = "queued" | "running" | "success" | "failed" | "skipped";
export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "success", "failed", "skipped"];

export interface SyncRun {
  id: string;
  kind: "frequent" | "manual" | "historical";
  trigger: string;
  status: RunStatus;
  window_from: string;
  window_to: string;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  newbook_calls: number;
  bookings_fetched: number;
  rows_changed: number;
  progress_done: number;
  progress_total: number;
  error_message: string | null;
}

export interface SyncRunPage {
  runs: SyncRun[];
  next_before: string | null;
}

export interface SyncNowResponse {
  run_id: string;
  already_running: boolean;
}

export interface HistoricalSyncStarted {
  job_id: string;
  run_id: string;
}

export interface HistoricalSyncJob {
  job_id: string;
  run_id: string;
  state: RunStatus;
  progress: { done: number; total: number; percent: number };
  error_message: string | null;
}

export type StatsPeriod = "24h" | "7d";

export interface SyncStatsBucket {
  bucket_start: string;
  runs: number;
  failures: number;
  avg_duration_ms: number | null;
}

export interface SyncStats {
  period: StatsPeriod;
  runs: number;
  successes: number;
  failures: number;
  skipped: number;
  success_rate: number | null;
  avg_duration_ms: number | null;
  p95_duration_ms: number | null;
  newbook_error_rate: number | null;
  last_failure: { at: string; message: string | null } | null;
  series: SyncStatsBucket[];
}

/** The figures of one day that a sync can change. */
export interface DayFigures {
  rooms_available: number | null;
  rooms_occupied: number;
  adults: number;
  children: number;
  infants: number;
  guests: number;
  arrivals: number;
  arrival_guests: number;
  departures: number;
  departure_guests: number;
  breakfast_covers: number;
  dinner_covers: number;
}

export interface OccupancyDay extends DayFigures {
  date: string;
  is_forecast: boolean;
  fetched_at: string | null;
  changed_at: string | null;
  previous: Partial<Record<keyof DayFigures, number | null>> | null;
}

export interface QueuesSession {
  expires_in: number;
  path: string;
}

export interface Occupancy {
  timezone: string;
  today: string;
  days: OccupancyDay[];
}

export interface Stay {
  booking_id: string;
  group_id: string | null;
  guest_name: string | null;
  arrival: string;
  departure: string;
  adults: number;
  children: number;
  infants: number;
  has_breakfast: boolean;
  is_dbb: boolean;
  /** The nights (dates) of the stay. */
  nights: string[];
}

export interface Residents {
  start: string;
  end: string;
  dates: string[];
  rooms: { room: string; stays: Stay[] }[];
}

export interface Alert {
  id: number;
  kind: string;
  severity: string;
  state: string;
  message: string;
  opened_at: string;
  resolved_at: string | null;
}

export interface KitchenHealth extends Kitchen {
  has_connection: boolean;
  is_enabled: boolean;
  sync_interval_minutes: number;
  last_sync_status: SyncStatus | null;
  last_sync_at: string | null;
  last_success_at: string | null;
  consecutive_failures: number;
  stale: boolean;
  next_sync_at: string | null;
  open_alerts: number;
}
