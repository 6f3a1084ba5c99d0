import type { newbookConnections } from "@occ/db";
import type { SecretBox } from "../crypto";
import { registerSecret } from "../redact";
import type { NewbookConnection } from "./client";

type SavedConnection = Pick<
  typeof newbookConnections.$inferSelect,
  "baseUrl" | "region" | "username" | "passwordEnc" | "apiKeyEnc"
>;

/**
 * A saved connection's credentials, decrypted and registered with the log redactor before anything can
 * log them. Throws when the box cannot open them (wrong or rotated-away key); callers word that for
 * their reader.
 */
export function decryptNewbookConnection(box: SecretBox, row: SavedConnection): NewbookConnection {
  const password = box.decrypt(row.passwordEnc);
  const apiKey = box.decrypt(row.apiKeyEnc);
  registerSecret(password);
  registerSecret(apiKey);
  return { baseUrl: row.baseUrl, region: row.region, username: row.username, password, apiKey };
}
