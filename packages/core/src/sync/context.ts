import {
  type Db,
  kitchens,
  newbookConnections,
  newbookFrequentSyncSettings,
  syncRuns,
  type Tx,
} from "@occ/db";
import { and, type Column, desc, eq, isNotNull, sql } from "drizzle-orm";
import type { Config } from "../config";
import { encryptionKeysFromConfig, SecretBox } from "../crypto";
import type { Logger } from "../logger";
import { NewbookClient, type NewbookConnection, newbookClientOptionsFromConfig } from "../newbook/client";
import type { NewbookAgentPool } from "../newbook/http-agent";
import { decryptNewbookConnection } from "../newbook/saved-connection";
import type { NewbookRequestEvent } from "../newbook/stats";
import { credentialKey, type RateLimiter } from "../ratelimit";
import { SyncConfigurationError } from "./errors";
import type { MealMapping } from "./meals";
import { preparedPerHandle } from "./prepared";
import type { DateSpan } from "./window";

export interface SyncContext {
  db: Db;
  logger: Logger;
  config: Config;
  rateLimiter?: RateLimiter;
  now?: () => Date;
  /** Builds the Newbook client; tests and benchmarks inject their own. The engine closes what it gets. */
  clientFor?: (connection: NewbookConnection) => NewbookClient;
  onNewbookRequest?: (event: NewbookRequestEvent) => void;
  /** Keep-alive connections per credential across syncs (a worker's); without it each client has its own. */
  agentPool?: NewbookAgentPool;
  /**
   * Awaited inside each write transaction just before it commits (every chunk of a historical sync).
   * A fencing check: throwing rolls the transaction back, so a run that lost its exclusivity (e.g. its
   * kitchen lock expired) cannot overwrite the work of the run that took over.
   */
  beforeCommit?: () => Promise<void>;
}

export type ConnectionRow = typeof newbookConnections.$inferSelect;

export interface KitchenSyncSetup {
  kitchenId: number;
  timezone: string;
  daysAhead: number;
  connection: ConnectionRow | null;
  listingFingerprint: ListingFingerprint | null;
  /** The window the kitchen's last successful next-days sync covered (see coveredWindow). */
  coveredWindow: DateSpan | null;
}

/** See newbook_frequent_sync_settings.listing_fingerprint. */
export interface ListingFingerprint {
  /** Digest of everything besides the bookings that the stored rows were derived from. */
  inputs: string;
  /**
   * Digests of the raw bookings pages (NewbookClient's BookingListing) of the last whole read; empty once
   * a run has applied changes read from the change feed since.
   */
  pages: string[];
  bookings: number;
  /** When the window was last read whole (ISO, UTC): the change feed is used for SYNC_FULL_READ_MINUTES after. */
  fullReadAt?: string;
  /**
   * Where the next run's change feed starts: a property-local datetime on Newbook's own clock, taken from
   * the bookings read (see changeFeedStart). Absent: no change feed until the window is read whole again.
   */
  changesSince?: string;
  /**
   * The bookings the next change feed sends again (its overlap) as [raw digest, booking id]: recognised
   * from here, without reading the stored window (see recentAfter).
   */
  recent?: Array<[rawDigest: string, bookingId: string]>;
  /** Digest of the last change feed's answer when it was one page: the same answer again is not read. */
  feedPage?: string;
}

/**
 * For writers of a kitchen's bookings and daily rows other than its next-days sync (a historical sync):
 * what that sync last wrote may no longer be what is stored, so its next run reads and writes in full.
 */
export async function forgetListingFingerprint(tx: Tx, kitchenId: number): Promise<void> {
  await tx
    .update(newbookFrequentSyncSettings)
    .set({ listingFingerprint: null })
    .where(
      and(
        eq(newbookFrequentSyncSettings.kitchenId, kitchenId),
        isNotNull(newbookFrequentSyncSettings.listingFingerprint),
      ),
    );
}

/** The room inventory changes rarely; sites_list is asked at most this often. */
export const ROOMS_REFRESH_MS = 24 * 3_600_000;

/** The kitchen's last successful next-days run's window: its covered window. */
const lastCoveredWindow = (db: Db, kitchenId: number | Column) =>
  db
    .select({ from: syncRuns.windowFrom, to: syncRuns.windowTo })
    .from(syncRuns)
    .where(
      and(eq(syncRuns.kitchenId, kitchenId), eq(syncRuns.status, "success"), eq(syncRuns.kind, "frequent")),
    )
    .orderBy(desc(syncRuns.queuedAt))
    .limit(1);

/** The window the kitchen's last successful next-days sync covered; null before its first one. */
export async function coveredWindow(db: Db, kitchenId: number): Promise<DateSpan | null> {
  const [row] = await lastCoveredWindow(db, kitchenId);
  return row ?? null;
}

/** What a run reads of its kitchen (see KitchenSyncSetup), from the kitchen joined as kitchenJoins say. */
export function kitchenSetupFields(db: Db) {
  const covered = lastCoveredWindow(db, kitchens.id).as("covered");
  return {
    timezone: kitchens.timezone,
    daysAhead: newbookFrequentSyncSettings.daysAhead,
    listingFingerprint: newbookFrequentSyncSettings.listingFingerprint,
    connection: newbookConnections,
    coveredWindow: sql<DateSpan | null>`(select json_build_object('from', ${covered.from}, 'to', ${covered.to}) from ${covered})`,
  };
}

/** The kitchen, joined to its settings and connection: what kitchenSetupFields select from. */
export const kitchenJoins = {
  settings: eq(newbookFrequentSyncSettings.kitchenId, kitchens.id),
  connection: eq(newbookConnections.kitchenId, kitchens.id),
};

/** One statement: the kitchen, its connection and settings, and the window its last sync covered. */
function kitchenSetupQuery(db: Db) {
  return db
    .select(kitchenSetupFields(db))
    .from(kitchens)
    .leftJoin(newbookFrequentSyncSettings, kitchenJoins.settings)
    .leftJoin(newbookConnections, kitchenJoins.connection)
    .where(eq(kitchens.id, sql.placeholder("kitchenId")))
    .prepare("occ_kitchen_sync_setup");
}

/**
 * Prepared once per connection (preparedPerHandle): every sync starts with it, and building the query each time cost
 * more CPU than running it.
 */
const preparedKitchenSetup = preparedPerHandle((db: Db, _shape: "setup") => kitchenSetupQuery(db));

export const DEFAULT_DAYS_AHEAD = 7;

/** A row of kitchenSetupFields as the run's setup; the kitchen missing is a configuration error. */
export function kitchenSetupOf(
  kitchenId: number,
  row: (Omit<KitchenSyncSetup, "kitchenId" | "daysAhead"> & { daysAhead: number | null }) | undefined,
): KitchenSyncSetup {
  if (!row) throw new SyncConfigurationError(`Kitchen ${kitchenId} does not exist`);
  return {
    kitchenId,
    timezone: row.timezone,
    daysAhead: row.daysAhead ?? DEFAULT_DAYS_AHEAD,
    connection: row.connection,
    listingFingerprint: row.listingFingerprint,
    coveredWindow: row.coveredWindow,
  };
}

export async function loadKitchenSetup(db: Db, kitchenId: number): Promise<KitchenSyncSetup> {
  const [row] = await preparedKitchenSetup(db, "setup").execute({ kitchenId });
  return kitchenSetupOf(kitchenId, row);
}

export function requireConnection(setup: KitchenSyncSetup): ConnectionRow {
  if (!setup.connection) {
    throw new SyncConfigurationError("No Newbook connection is configured for this kitchen");
  }
  return setup.connection;
}

export function mealMappingOf(connection: ConnectionRow): MealMapping {
  return {
    breakfastGlAccountIds: connection.breakfastGlAccountIds,
    dinnerGlAccountIds: connection.dinnerGlAccountIds,
  };
}

function openSavedConnection(config: Config, row: ConnectionRow): NewbookConnection {
  const keys = encryptionKeysFromConfig(config);
  if (!keys) {
    throw new SyncConfigurationError(
      "ENCRYPTION_KEY(S) is not set, so the Newbook credentials cannot be read",
    );
  }
  try {
    return decryptNewbookConnection(new SecretBox(keys), row);
  } catch {
    throw new SyncConfigurationError(
      "The stored Newbook credentials cannot be decrypted (was ENCRYPTION_KEY changed?); enter them again",
    );
  }
}

export function openClient(ctx: SyncContext, row: ConnectionRow): NewbookClient {
  const connection = openSavedConnection(ctx.config, row);
  if (ctx.clientFor) return ctx.clientFor(connection);
  return new NewbookClient({
    ...newbookClientOptionsFromConfig(ctx.config, connection),
    agents: ctx.agentPool?.forCredential(credentialKey(connection), ctx.config.NEWBOOK_CONNECT_TIMEOUT_MS),
    rateLimiter: ctx.rateLimiter,
    onRequest: ctx.onNewbookRequest,
    logger: ctx.logger,
  });
}

export interface RoomInventory {
  roomsAvailable: number | null;
  /** Set when sites_list was asked: written with the run's data so a failed run leaves it as it was. */
  refreshed: { roomsTotal: number; at: Date } | null;
}

/** The stored room count when it is recent enough to use, else null (sites_list is due). */
export function freshRoomsTotal(row: ConnectionRow, now: Date): number | null {
  const fresh =
    row.roomsTotal !== null &&
    row.roomsRefreshedAt !== null &&
    now.getTime() - row.roomsRefreshedAt.getTime() < ROOMS_REFRESH_MS;
  return fresh ? row.roomsTotal : null;
}

export async function roomInventory(
  client: NewbookClient,
  row: ConnectionRow,
  now: Date,
): Promise<RoomInventory> {
  const roomsTotal = freshRoomsTotal(row, now);
  if (roomsTotal !== null) return { roomsAvailable: roomsTotal, refreshed: null };
  const sites = await client.listSites();
  return { roomsAvailable: sites.length, refreshed: { roomsTotal: sites.length, at: now } };
}

export async function saveRoomInventory(tx: Tx, kitchenId: number, inventory: RoomInventory): Promise<void> {
  if (!inventory.refreshed) return;
  await tx
    .update(newbookConnections)
    .set({ roomsTotal: inventory.refreshed.roomsTotal, roomsRefreshedAt: inventory.refreshed.at })
    .where(eq(newbookConnections.kitchenId, kitchenId));
}
