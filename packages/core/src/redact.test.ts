import { Writable } from "node:stream";
import { createLogger } from "./logger";
import { REDACTED, redact, registerSecret } from "./redact";

describe("redact", () => {
  it("replaces secret-named keys at any depth", () => {
    expect(redact({ user: "a", password: "p1", nested: { api_key: "k", apiKey: "k2", token: "t" } })).toEqual(
      {
        user: "a",
        password: REDACTED,
        nested: { api_key: REDACTED, apiKey: REDACTED, token: REDACTED },
      },
    );
  });

  it("scrubs registered secret values and auth headers from strings", () => {
    registerSecret("s3cr3t-value-xyz");
    expect(redact("failed with s3cr3t-value-xyz inside")).toBe(`failed with ${REDACTED} inside`);
    expect(redact("Authorization: Basic dXNlcjpwYXNzd29yZA==")).toBe(`Authorization: Basic ${REDACTED}`);
    expect(redact("postgres://u:pw@host/db")).toBe(`postgres://${REDACTED}@host/db`);
  });

  it("keeps secrets out of log lines whatever the call site passes", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ service: "test", format: "json", stream });
    registerSecret("hunter2-newbook-pass");
    logger.info("connecting with hunter2-newbook-pass", { password: "x", meta: { apiKey: "abc" } });
    logger.error("boom", { error: new Error("bad hunter2-newbook-pass") });
    await new Promise((r) => setImmediate(r));
    const all = lines.join("\n");
    expect(all).not.toContain("hunter2-newbook-pass");
    expect(all).not.toContain("abc");
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", service: "test", password: REDACTED });
  });
});
