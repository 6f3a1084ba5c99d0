/** Keys whose values are secrets wherever they appear in a log entry. */
const SECRET_KEY = /pass(word)?|secret|token|api_?key|authorization|cookie|encryption_?key|credential/i;
export const REDACTED = "[REDACTED]";

// Secret values seen at run time (decrypted Newbook passwords and keys, ...): scrubbed from any string,
// so an error message that happens to embed one still cannot leak it.
const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

export function scrubString(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  // Basic-auth headers and URL credentials have a recognisable shape even when the value is unknown.
  return out
    .replace(/(Basic|Bearer)\s+[A-Za-z0-9+/=._-]{8,}/g, `$1 ${REDACTED}`)
    .replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, `//${REDACTED}@`);
}

/** Deep copy of `value` with secret-named keys and known secret values replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubString(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: scrubString(value.message),
      stack: value.stack ? scrubString(value.stack) : undefined,
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
