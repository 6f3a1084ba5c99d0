import { DrizzleQueryError } from "drizzle-orm";
import { NewbookError } from "../newbook/errors";
import { scrubString } from "../redact";

/** The kitchen cannot be synced as configured; retrying will not help until someone changes it. */
export class SyncConfigurationError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = "SyncConfigurationError";
  }
}

/** A historical sync asked for an impossible range. */
export class SyncValidationError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = "SyncValidationError";
  }
}

export interface SyncErrorDescription {
  code: string;
  message: string;
}

const MAX_MESSAGE = 300;

function short(text: string): string {
  const line = scrubString(text.split("\n")[0] ?? "").trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

function isDatabaseError(error: Error): boolean {
  if (error instanceof DrizzleQueryError) return true;
  const code = (error as { code?: unknown }).code;
  // PostgreSQL SQLSTATE codes are five characters; connection failures carry node's ECONN* codes.
  return typeof code === "string" && (/^[0-9A-Z]{5}$/.test(code) || code.startsWith("ECONN"));
}

/**
 * A short message for the settings page and sync history. Our own errors are written for managers and
 * shown as they are; anything else is named by category only, since its text may hold internals.
 */
export function describeSyncError(error: unknown): SyncErrorDescription {
  if (error instanceof NewbookError) return { code: `newbook_${error.code}`, message: short(error.message) };
  if (error instanceof SyncConfigurationError)
    return { code: "configuration", message: short(error.message) };
  if (error instanceof SyncValidationError) return { code: "validation", message: short(error.message) };
  if (error instanceof Error && isDatabaseError(error))
    return { code: "database", message: "The database could not save the sync; it will be retried" };
  return { code: "internal", message: "The sync failed unexpectedly; see the worker log for details" };
}
