import { Writable } from "node:stream";
import { DrizzleQueryError } from "drizzle-orm";
import { createLogger } from "./logger";
import {
  knownSecretCount,
  MAX_KNOWN_SECRETS,
  MAX_REDACT_DEPTH,
  REDACTED,
  redact,
  registerSecret,
} from "./redact";

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

  it("remembers a bounded number of secret values, the most recent ones", () => {
    for (let i = 0; i < 10_000; i += 1) registerSecret(`test-connection-value-${i}`);
    expect(knownSecretCount()).toBe(MAX_KNOWN_SECRETS);
    expect(redact("uses test-connection-value-9999")).toBe(`uses ${REDACTED}`);
    const line = {
      message: "a log line with nothing secret in it",
      meta: { kitchen_id: 1, note: "x".repeat(200) },
    };
    const started = performance.now();
    for (let i = 0; i < 1_000; i += 1) redact(line);
    const perLineMs = (performance.now() - started) / 1_000;
    console.log(`redact: ${perLineMs.toFixed(3)} ms per line with ${knownSecretCount()} known values`);
    // 10k remembered values cost 1.3 ms per line; the bound keeps it a small fraction of that.
    expect(perLineMs).toBeLessThan(0.5);
  });

  it("replaces objects nested beyond the depth limit instead of logging them raw", () => {
    let deep: Record<string, unknown> = { note: "raw-deep-value" };
    for (let i = 0; i < MAX_REDACT_DEPTH + 3; i += 1) deep = { level: deep };
    expect(JSON.stringify(redact(deep))).not.toContain("raw-deep-value");
  });

  it("logs a failed SQL statement without its bound parameters", () => {
    const error = new DrizzleQueryError(
      'update "users" set "password_hash" = $1 where "email" = $2',
      ["scrypt$very-secret-hash", "someone@example.com"],
      new Error("connection reset"),
    );
    const logged = JSON.stringify(redact({ error }));
    expect(logged).toContain('update \\"users\\"');
    expect(logged).not.toContain("very-secret-hash");
    expect(logged).not.toContain("someone@example.com");
  });
});
