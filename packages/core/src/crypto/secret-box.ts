import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { Config } from "../config";

interface Key {
  /** First 8 hex digits of the key's SHA-256: names the key in ciphertexts without revealing it. */
  id: string;
  bytes: Buffer;
}

function keyOf(base64Key: string): Key {
  const bytes = Buffer.from(base64Key, "base64");
  if (bytes.length !== 32) throw new Error("encryption keys must decode to 32 bytes");
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

/**
 * AES-256-GCM for secrets at rest (Newbook passwords and API keys), with key rotation: given several keys
 * (newest first), it encrypts with the newest and decrypts with whichever key a ciphertext names.
 * Envelope "v2:<keyId>:<iv>:<tag>:<ciphertext>" (base64 parts); "v1:<iv>:<tag>:<ciphertext>" from before
 * key ids is still read, by trying each key (GCM's tag tells the right one).
 */
export class SecretBox {
  private readonly keys: Key[];

  constructor(base64Keys: string | readonly string[]) {
    const list = typeof base64Keys === "string" ? [base64Keys] : [...base64Keys];
    if (list.length === 0) throw new Error("at least one encryption key is required");
    this.keys = list.map(keyOf);
  }

  /** The id of the key new ciphertexts are written with. */
  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  /** True when the envelope was written with the newest key (nothing to re-encrypt). */
  isCurrent(envelope: string): boolean {
    return envelope.startsWith(`v2:${this.currentKeyId}:`);
  }

  encrypt(plain: string): string {
    const key = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key.bytes, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [
      "v2",
      key.id,
      iv.toString("base64"),
      cipher.getAuthTag().toString("base64"),
      body.toString("base64"),
    ].join(":");
  }

  decrypt(envelope: string): string {
    const parts = envelope.split(":");
    if (parts[0] === "v2" && parts.length === 5) {
      const [, id, iv, tag, body] = parts as [string, string, string, string, string];
      const key = this.keys.find((k) => k.id === id);
      if (!key) throw new Error(`secret was encrypted with key ${id}, which is not in ENCRYPTION_KEYS`);
      return open(key, iv, tag, body);
    }
    if (parts[0] === "v1" && parts.length === 4) {
      const [, iv, tag, body] = parts as [string, string, string, string];
      for (const key of this.keys) {
        try {
          return open(key, iv, tag, body);
        } catch {
          // Not this key: GCM authentication failed; try the next.
        }
      }
      throw new Error("no key in ENCRYPTION_KEYS decrypts this v1 secret");
    }
    throw new Error("not a secret envelope");
  }
}

function open(key: Key, iv: string, tag: string, body: string): string {
  const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
}

/** ENCRYPTION_KEYS (newest first) when set, else ENCRYPTION_KEY; null when neither is. */
export function encryptionKeysFromConfig(
  config: Pick<Config, "ENCRYPTION_KEY" | "ENCRYPTION_KEYS">,
): string[] | null {
  if (config.ENCRYPTION_KEYS && config.ENCRYPTION_KEYS.length > 0) return config.ENCRYPTION_KEYS;
  return config.ENCRYPTION_KEY ? [config.ENCRYPTION_KEY] : null;
}

export function generateEncryptionKey(): string {
  return randomBytes(32).toString("base64");
}
