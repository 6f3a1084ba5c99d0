import { ConfigError, databasePoolSize, loadConfig, WORKER_POOL_DEFAULT_CAP } from "./config";

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

describe("databasePoolSize", () => {
  it("gives a worker a connection per slot up to the cap, the API 10, and DATABASE_POOL_MAX to both", () => {
    expect(databasePoolSize(loadConfig({ WORKER_CONCURRENCY: "8" }), "worker")).toBe(8 + 1 + 2);
    expect(databasePoolSize(loadConfig({}), "worker")).toBe(WORKER_POOL_DEFAULT_CAP);
    expect(databasePoolSize(loadConfig({}), "api")).toBe(10);
    const fixed = loadConfig({ DATABASE_POOL_MAX: "50", WORKER_CONCURRENCY: "8" });
    expect(databasePoolSize(fixed, "worker")).toBe(50);
    expect(databasePoolSize(fixed, "api")).toBe(50);
  });

  it("refuses a pool of no connections, naming the variable", () => {
    expect(() => loadConfig({ DATABASE_POOL_MAX: "0" })).toThrow(/DATABASE_POOL_MAX/);
  });
});
