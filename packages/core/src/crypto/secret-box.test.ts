import { generateEncryptionKey, SecretBox } from "./secret-box";

describe("SecretBox", () => {
  const box = new SecretBox(generateEncryptionKey());

  it("round-trips and never stores the plain text", () => {
    const envelope = box.encrypt("newbook-password-1");
    expect(envelope).not.toContain("newbook-password-1");
    expect(envelope.startsWith("v1:")).toBe(true);
    expect(box.decrypt(envelope)).toBe("newbook-password-1");
    expect(box.encrypt("same")).not.toBe(box.encrypt("same"));
  });

  it("rejects tampering and a wrong key", () => {
    const envelope = box.encrypt("secret");
    const parts = envelope.split(":");
    parts[3] = Buffer.from("other!").toString("base64");
    expect(() => box.decrypt(parts.join(":"))).toThrow();
    expect(() => new SecretBox(generateEncryptionKey()).decrypt(envelope)).toThrow();
    expect(() => new SecretBox("c2hvcnQ=")).toThrow(/32 bytes/);
  });
});
