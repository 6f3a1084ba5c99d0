import {
  decryptNewbookConnection,
  type NewbookConnection,
  registerSecret,
  type SecretBox,
  verifyNewbookUrl,
} from "@occ/core";
import type { Db, Region } from "@occ/db";
import { markConnected, newbookConnections } from "@occ/db";
import { eq } from "drizzle-orm";
import { ApiError } from "../errors";
import { DEFAULT_NEWBOOK_BASE_URL } from "../schemas/settings";
import type { ConnectionTestResult } from "./newbook-probe";
import { regionForTimezone } from "./region";

type ConnectionRow = typeof newbookConnections.$inferSelect;

export interface ConnectionInput {
  base_url?: string;
  region: Region;
  username: string;
  password?: string;
  api_key?: string;
  breakfast_gl_account_ids?: string[];
  dinner_gl_account_ids?: string[];
  /** Keep new credentials although their test failed (the manager confirmed it). */
  save_if_test_fails?: boolean;
}

/** What a manager may see: never the password or API key, only whether they are set. */
export interface ConnectionView {
  configured: boolean;
  base_url: string;
  region: Region | null;
  username: string | null;
  password_set: boolean;
  api_key_set: boolean;
  breakfast_gl_account_ids: string[];
  dinner_gl_account_ids: string[];
  rooms_total: number | null;
  updated_at: string | null;
  /** When these credentials last proved to work; null: not yet (the kitchen does not sync on its own). */
  verified_at: string | null;
  /** The region a first connection starts from, guessed from the kitchen's zone (null: no guess). */
  suggested_region: Region | null;
}

export function connectionView(row: ConnectionRow | null, timezone: string): ConnectionView {
  const suggested_region = regionForTimezone(timezone);
  if (!row)
    return {
      configured: false,
      base_url: DEFAULT_NEWBOOK_BASE_URL,
      region: null,
      username: null,
      password_set: false,
      api_key_set: false,
      breakfast_gl_account_ids: [],
      dinner_gl_account_ids: [],
      rooms_total: null,
      updated_at: null,
      verified_at: null,
      suggested_region,
    };
  return {
    configured: true,
    base_url: row.baseUrl,
    region: row.region as Region,
    username: row.username,
    password_set: row.passwordEnc !== "",
    api_key_set: row.apiKeyEnc !== "",
    breakfast_gl_account_ids: row.breakfastGlAccountIds,
    dinner_gl_account_ids: row.dinnerGlAccountIds,
    rooms_total: row.roomsTotal,
    updated_at: row.updatedAt.toISOString(),
    verified_at: row.verifiedAt?.toISOString() ?? null,
    suggested_region,
  };
}

export async function findConnection(db: Db, kitchenId: number): Promise<ConnectionRow | null> {
  const [row] = await db.select().from(newbookConnections).where(eq(newbookConnections.kitchenId, kitchenId));
  return row ?? null;
}

export async function hasConnection(db: Db, kitchenId: number): Promise<boolean> {
  const [row] = await db
    .select({ kitchenId: newbookConnections.kitchenId })
    .from(newbookConnections)
    .where(eq(newbookConnections.kitchenId, kitchenId));
  return row !== undefined;
}

/** What saved secrets are bound to: they are only ever sent to this origin, username and region. */
export interface SecretBinding {
  baseUrl: string;
  username: string;
  region: string;
}

export function sameBinding(a: SecretBinding, b: SecretBinding): boolean {
  return (
    new URL(a.baseUrl).origin === new URL(b.baseUrl).origin &&
    a.username === b.username &&
    a.region === b.region
  );
}

/** 400 naming whichever of password and api_key the request left out. */
export function missingSecrets(input: { password?: string; api_key?: string }, when: string): ApiError {
  const details = [
    ...(input.password ? [] : [{ field: "password", message: `password is required ${when}` }]),
    ...(input.api_key ? [] : [{ field: "api_key", message: `api_key is required ${when}` }]),
  ];
  return ApiError.badRequest(
    "validation_error",
    `Invalid body: ${details.map((d) => d.message).join("; ")}`,
    details,
  );
}

export const REBIND_RULE =
  "when base_url's origin, username or region change (saved secrets stay with the old ones)";

/** 400 unless base_url's host is allowed (NEWBOOK_ALLOWED_HOSTS) and, for wildcard entries, public. */
export async function assertAllowedBaseUrl(baseUrl: string, allowedHosts: readonly string[]): Promise<void> {
  const verdict = await verifyNewbookUrl(baseUrl, allowedHosts);
  if (!verdict.ok)
    throw ApiError.badRequest("validation_error", `Invalid body: ${verdict.reason}`, [
      { field: "base_url", message: verdict.reason.replace(/^base_url: /, "") },
    ]);
}

/** A save checked against the saved connection: the credentials it would store and whether they are new. */
export interface PreparedConnection {
  existing: ConnectionRow | null;
  credentials: NewbookConnection;
  /** No connection yet, or any of base URL, region, username, password or API key differs from the saved. */
  changed: boolean;
}

/**
 * Checks a save before anything is written or sent: password and API key are required the first time and
 * kept when omitted later (unless what they are bound to changes), and the base URL must be allowed.
 */
export async function prepareConnection(
  db: Db,
  box: SecretBox,
  kitchenId: number,
  input: ConnectionInput,
  allowedHosts: readonly string[],
): Promise<PreparedConnection> {
  const existing = await findConnection(db, kitchenId);
  const baseUrl = input.base_url ?? existing?.baseUrl ?? DEFAULT_NEWBOOK_BASE_URL;
  const bothSecrets = Boolean(input.password && input.api_key);
  if (!existing && !bothSecrets) throw missingSecrets(input, "when first saving");
  if (existing && !bothSecrets && !sameBinding(existing, { ...input, baseUrl }))
    throw missingSecrets(input, REBIND_RULE);
  await assertAllowedBaseUrl(baseUrl, allowedHosts);
  registerSecret(input.password);
  registerSecret(input.api_key);
  const saved = existing ? decryptNewbookConnection(box, existing) : null;
  const credentials: NewbookConnection = {
    baseUrl,
    region: input.region,
    username: input.username,
    password: input.password ?? saved!.password,
    apiKey: input.api_key ?? saved!.apiKey,
  };
  return { existing, credentials, changed: saved === null || !sameCredentials(saved, credentials) };
}

export function sameCredentials(a: NewbookConnection, b: NewbookConnection): boolean {
  return (
    a.baseUrl === b.baseUrl &&
    a.region === b.region &&
    a.username === b.username &&
    a.password === b.password &&
    a.apiKey === b.apiKey
  );
}

/**
 * Writes a prepared connection, encrypting the secrets. `verifiedAt`: when new credentials passed their test
 * (null: saved although the test failed); unchanged credentials keep what they had.
 */
export async function writeConnection(
  db: Db,
  box: SecretBox,
  kitchenId: number,
  prepared: PreparedConnection,
  input: ConnectionInput,
  verifiedAt: Date | null,
): Promise<ConnectionRow> {
  const { existing, credentials, changed } = prepared;
  const values = {
    baseUrl: credentials.baseUrl,
    region: credentials.region,
    username: credentials.username,
    passwordEnc: input.password ? box.encrypt(input.password) : existing!.passwordEnc,
    apiKeyEnc: input.api_key ? box.encrypt(input.api_key) : existing!.apiKeyEnc,
    breakfastGlAccountIds: input.breakfast_gl_account_ids ?? existing?.breakfastGlAccountIds ?? [],
    dinnerGlAccountIds: input.dinner_gl_account_ids ?? existing?.dinnerGlAccountIds ?? [],
    verifiedAt: changed ? verifiedAt : (existing?.verifiedAt ?? null),
  };
  // The settings row's has_connection flag changes with the connection (the ops view reads it).
  const row = await db.transaction(async (tx) => {
    const [saved] = await tx
      .insert(newbookConnections)
      .values({ kitchenId, ...values })
      .onConflictDoUpdate({ target: newbookConnections.kitchenId, set: { ...values, updatedAt: new Date() } })
      .returning();
    await markConnected(tx, kitchenId);
    return saved;
  });
  return row!;
}

export interface SavedConnection {
  row: ConnectionRow;
  created: boolean;
  /** The test new credentials went through before the save; null when they did not change. */
  test: ConnectionTestResult | null;
}

/**
 * Saves the kitchen's Newbook connection. New or changed credentials are tested first: a failed test stops
 * the save (409, nothing written) unless `save_if_test_fails` confirms it, and they are then saved as not
 * yet verified. Without `test` (seeding from tests and tools) the credentials are trusted as given.
 */
export async function saveConnection(
  db: Db,
  box: SecretBox,
  kitchenId: number,
  input: ConnectionInput,
  allowedHosts: readonly string[],
  test?: (credentials: NewbookConnection) => Promise<ConnectionTestResult>,
): Promise<SavedConnection> {
  const prepared = await prepareConnection(db, box, kitchenId, input, allowedHosts);
  const result = prepared.changed && test ? await test(prepared.credentials) : null;
  if (result && !result.ok && !input.save_if_test_fails)
    throw new ApiError(
      409,
      "connection_test_failed",
      `Connection test failed: ${result.reason}. Nothing was saved; send save_if_test_fails: true to save anyway`,
      { reason: result.reason },
    );
  const verifiedAt = result && !result.ok ? null : new Date();
  const row = await writeConnection(db, box, kitchenId, prepared, input, verifiedAt);
  return { row, created: prepared.existing === null, test: result };
}

/** Records that the saved credentials just passed a test (the kitchen may now sync on its own). */
export async function markVerified(db: Db, kitchenId: number, at: Date): Promise<void> {
  await db
    .update(newbookConnections)
    .set({ verifiedAt: at })
    .where(eq(newbookConnections.kitchenId, kitchenId));
}
