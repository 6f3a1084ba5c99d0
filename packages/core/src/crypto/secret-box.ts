import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";

/**
 * AES-256-GCM for secrets at rest (Newbook passwords and API keys). The envelope carries a version so a
 * future key rotation can tell old ciphertexts from new ones: "v1:<iv>:<tag>:<ciphertext>", base64 parts.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(base64Key: string) {
    this.key = Buffer.from(base64Key, "base64");
    if (this.key.length !== 32) throw new Error("ENCRYPTION_KEY must decode to 32 bytes");
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [
      VERSION,
      iv.toString("base64"),
      cipher.getAuthTag().toString("base64"),
      body.toString("base64"),
    ].join(":");
  }

  decrypt(envelope: string): string {
    const [version, iv, tag, body] = envelope.split(":");
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("not a v1 secret envelope");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
  }
}

export function generateEncryptionKey(): string {
  return randomBytes(32).toString("base64");
}
