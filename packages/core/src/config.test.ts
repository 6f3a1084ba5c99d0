import { ConfigError, loadConfig } from "./config";

describe("loadConfig", () => {
  it("applies defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      API_PORT: 3000,
      SYNC_MINUTE_MS: 60_000,
      NEWBOOK_RATE_LIMIT: 90,
      logFormat: "pretty",
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it("names each bad variable and what it expects", () => {
    expect(() => loadConfig({ API_PORT: "abc", REDIS_URL: "http://x" })).toThrow(ConfigError);
    try {
      loadConfig({ API_PORT: "abc", REDIS_URL: "http://x" });
    } catch (error) {
      const problems = (error as ConfigError).problems.join("\n");
      expect(problems).toMatch(/API_PORT \("abc"\)/);
      expect(problems).toMatch(/REDIS_URL .*redis:\/\//);
    }
  });

  it("requires secrets in production without echoing them", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/JWT_SECRET \(unset\): is required/);
    expect(() => loadConfig({ NODE_ENV: "production", JWT_SECRET: "short", ENCRYPTION_KEY: "x" })).toThrow(
      /ENCRYPTION_KEY \(set\): must be 32 random bytes/,
    );
    const key = Buffer.alloc(32, 7).toString("base64");
    const config = loadConfig({ NODE_ENV: "production", JWT_SECRET: "j".repeat(32), ENCRYPTION_KEY: key });
    expect(config.logFormat).toBe("json");
  });

  it("takes an http(s) CHANGE_WEBHOOK_URL and refuses anything else without echoing it", () => {
    expect(loadConfig({}).CHANGE_WEBHOOK_URL).toBeUndefined();
    expect(loadConfig({ CHANGE_WEBHOOK_URL: " " }).CHANGE_WEBHOOK_URL).toBeUndefined();
    const hook = "https://hooks.example.com/services/T000/B000/secret-token";
    expect(loadConfig({ CHANGE_WEBHOOK_URL: hook }).CHANGE_WEBHOOK_URL).toBe(hook);
    for (const bad of ["ftp://hooks.example.com/secret-token", "hooks.example.com/secret-token"]) {
      expect(() => loadConfig({ CHANGE_WEBHOOK_URL: bad })).toThrow(
        /CHANGE_WEBHOOK_URL \(set\): must be an http\(s\) URL/,
      );
      expect(() => loadConfig({ CHANGE_WEBHOOK_URL: bad })).not.toThrow(/secret-token/);
    }
  });
});
