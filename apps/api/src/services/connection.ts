import { registerSecret, type SecretBox, verifyNewbookUrl } from "@occ/core";
import type { Db, Region } from "@occ/db";
import { newbookConnections } from "@occ/db";
import { eq } from "drizzle-orm";
import { ApiError } from "../errors";
import { DEFAULT_NEWBOOK_BASE_URL } from "../schemas/settings";

type ConnectionRow = typeof newbookConnections.$inferSelect;

export interface ConnectionInput {
  base_url?: string;
  region: Region;
  username: string;
  password?: string;
  api_key?: string;
  breakfast_gl_account_ids?: string[];
  dinner_gl_account_ids?: string[];
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
}

export function connectionView(row: ConnectionRow | null): ConnectionView {
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

/**
 * Saves the kitchen's Newbook connection, encrypting the secrets. Password and API key are required the
 * first time and kept when omitted later. `created` tells the caller a schedule may now be due.
 */
export async function saveConnection(
  db: Db,
  box: SecretBox,
  kitchenId: number,
  input: ConnectionInput,
  allowedHosts: readonly string[],
): Promise<{ view: ConnectionView; created: boolean }> {
  const existing = await findConnection(db, kitchenId);
  const baseUrl = input.base_url ?? existing?.baseUrl ?? DEFAULT_NEWBOOK_BASE_URL;
  const bothSecrets = Boolean(input.password && input.api_key);
  if (!existing && !bothSecrets) throw missingSecrets(input, "when first saving");
  if (existing && !bothSecrets && !sameBinding(existing, { ...input, baseUrl }))
    throw missingSecrets(input, REBIND_RULE);
  await assertAllowedBaseUrl(baseUrl, allowedHosts);
  registerSecret(input.password);
  registerSecret(input.api_key);
  const values = {
    baseUrl,
    region: input.region,
    username: input.username,
    passwordEnc: input.password ? box.encrypt(input.password) : existing!.passwordEnc,
    apiKeyEnc: input.api_key ? box.encrypt(input.api_key) : existing!.apiKeyEnc,
    breakfastGlAccountIds: input.breakfast_gl_account_ids ?? existing?.breakfastGlAccountIds ?? [],
    dinnerGlAccountIds: input.dinner_gl_account_ids ?? existing?.dinnerGlAccountIds ?? [],
  };
  const [row] = await db
    .insert(newbookConnections)
    .values({ kitchenId, ...values })
    .onConflictDoUpdate({ target: newbookConnections.kitchenId, set: { ...values, updatedAt: new Date() } })
    .returning();
  return { view: connectionView(row!), created: existing === null };
}
