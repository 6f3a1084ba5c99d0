import { generateEncryptionKey, SecretBox } from "./secret-box";

describe("SecretBox", () => {
  const box = new SecretBox(generateEncryptionKey());

  it("round-trips and never stores the plain text", () => {
    const envelope = box.encrypt("newbook-password-1");
    expect(envelope).not.toContain("newbook-password-1");
    expect(envelope.startsWith(`v2:${box.currentKeyId}:`)).toBe(true);
    expect(box.decrypt(envelope)).toBe("newbook-password-1");
    expect(box.encrypt("same")).not.toBe(box.encrypt("same"));
  });

  it("rejects tampering and a wrong key", () => {
    const envelope = box.encrypt("secret");
    const parts = envelope.split(":");
    parts[4] = Buffer.from("other!").toString("base64");
    expect(() => box.decrypt(parts.join(":"))).toThrow();
    expect(() => new SecretBox(generateEncryptionKey()).decrypt(envelope)).toThrow();
    expect(() => new SecretBox("c2hvcnQ=")).toThrow(/32 bytes/);
  });

  it("rotates: encrypts with the first key, decrypts with any, reads v1 envelopes", () => {
    const [oldKey, newKey] = [generateEncryptionKey(), generateEncryptionKey()];
    const before = new SecretBox(oldKey);
    const written = before.encrypt("kept-across-rotation");
    const legacyV1 = (() => {
      const [, , iv, tag, body] = written.split(":");
      return ["v1", iv, tag, body].join(":");
    })();
    const rotated = new SecretBox([newKey, oldKey]);
    expect(rotated.decrypt(written)).toBe("kept-across-rotation");
    expect(rotated.decrypt(legacyV1)).toBe("kept-across-rotation");
    expect(rotated.isCurrent(written)).toBe(false);
    const rewritten = rotated.encrypt("kept-across-rotation");
    expect(rotated.isCurrent(rewritten)).toBe(true);
    expect(() => new SecretBox(oldKey).decrypt(rewritten)).toThrow(/not in ENCRYPTION_KEYS/);
  });
});
