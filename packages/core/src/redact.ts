/** Keys whose values are secrets wherever they appear in a log entry. */
const SECRET_KEY = /pass(word)?|secret|token|api_?key|authorization|cookie|encryption_?key|credential/i;
export const REDACTED = "[REDACTED]";

/** Objects nested deeper than this are replaced whole rather than logged raw. */
export const MAX_REDACT_DEPTH = 8;
/**
 * Secret values remembered at once. Every string of every log line is scanned for each of them, and
 * "Test connection" registers the values it is given, so the list must not grow with use: the least
 * recently registered value goes first. Values in use are registered again each time they are decrypted
 * (every sync, every test), so they stay among the most recent.
 */
export const MAX_KNOWN_SECRETS = 256;

// Secret values seen at run time (decrypted Newbook passwords and keys, ...): scrubbed from any string,
// so an error message that happens to embed one still cannot leak it. A Map keeps registration order.
const knownSecrets = new Map<string, true>();
// One alternation over every known value (longest first), rebuilt only after the set changed: one pass per
// string instead of one per value.
let knownPattern: RegExp | null = null;

export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 4) return;
  if (!knownSecrets.delete(value)) knownPattern = null;
  knownSecrets.set(value, true);
  if (knownSecrets.size > MAX_KNOWN_SECRETS) {
    const oldest = knownSecrets.keys().next().value;
    if (oldest !== undefined) knownSecrets.delete(oldest);
    knownPattern = null;
  }
}

/** How many secret values are remembered (bounded by MAX_KNOWN_SECRETS). */
export function knownSecretCount(): number {
  return knownSecrets.size;
}

export function scrubString(text: string): string {
  let out = text;
  if (knownSecrets.size > 0) {
    knownPattern ??= new RegExp(
      [...knownSecrets.keys()]
        .sort((a, b) => b.length - a.length)
        .map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("|"),
      "g",
    );
    out = out.replace(knownPattern, REDACTED);
  }
  // Basic-auth headers and URL credentials have a recognisable shape even when the value is unknown.
  return out
    .replace(/(Basic|Bearer)\s+[A-Za-z0-9+/=._-]{8,}/g, `$1 ${REDACTED}`)
    .replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, `//${REDACTED}@`);
}

/**
 * A failed SQL statement's error (drizzle's DrizzleQueryError) carries the bound parameters in its message
 * and stack: e-mails, password hashes, ciphertexts. Only the statement is kept.
 */
function withoutSqlParams(error: Error): { message: string; stack: string | undefined } {
  const { query, params } = error as Error & { query?: unknown; params?: unknown };
  if (typeof query !== "string" || params === undefined)
    return { message: error.message, stack: error.stack };
  const message = `Failed query: ${query}`;
  return { message, stack: error.stack?.replace(error.message, message) };
}

/** Deep copy of `value` with secret-named keys and known secret values replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubString(value);
  if (value === null || typeof value !== "object") return value;
  // Too deep to inspect is too deep to trust: never logged raw.
  if (depth > MAX_REDACT_DEPTH) return REDACTED;
  if (value instanceof Error) {
    const { message, stack } = withoutSqlParams(value);
    return {
      name: value.name,
      message: scrubString(message),
      stack: stack ? scrubString(stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && v !== undefined && v !== null && v !== false && v !== true
        ? REDACTED
        : redact(v, depth + 1);
  }
  return out;
}
