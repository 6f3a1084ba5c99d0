import { ConfigError, loadConfig } from "../config";
import { bullmqConnection, bullmqPrefix } from "./clients";
import { describeRedis, type RedisConnection } from "./connection";

function problemsOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join("\n");
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("Redis connection modes from the environment", () => {
  it("defaults to one Redis at 127.0.0.1:6379, or REDIS_URL", () => {
    expect(loadConfig({}).redis).toEqual({ mode: "single", url: "redis://127.0.0.1:6379" });
    expect(loadConfig({ REDIS_URL: "redis://:pw@redis:6380/2" }).redis).toEqual({
      mode: "single",
      url: "redis://:pw@redis:6380/2",
    });
  });

  it("reads Sentinel mode: sentinels (IPv6 too), master name, passwords", () => {
    const config = loadConfig({
      REDIS_URL: "",
      REDIS_SENTINELS: " 10.0.0.1:26379, sentinel-2:26380,[::1]:26381 ",
      REDIS_SENTINEL_NAME: "occ",
      REDIS_PASSWORD: "data-secret",
      REDIS_SENTINEL_PASSWORD: "sentinel-secret",
    });
    expect(config.redis).toEqual({
      mode: "sentinel",
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "sentinel-2", port: 26380 },
        { host: "::1", port: 26381 },
      ],
      name: "occ",
      password: "data-secret",
      sentinelPassword: "sentinel-secret",
    });
  });

  it("reads Cluster mode", () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: "10.0.0.1:6379,10.0.0.2:6379" }).redis).toEqual({
      mode: "cluster",
      nodes: [
        { host: "10.0.0.1", port: 6379 },
        { host: "10.0.0.2", port: 6379 },
      ],
    });
  });

  it("refuses two modes at once, naming the variables", () => {
    expect(
      problemsOf({ REDIS_SENTINELS: "a:26379", REDIS_SENTINEL_NAME: "m", REDIS_CLUSTER_NODES: "b:6379" }),
    ).toMatch(/REDIS_CLUSTER_NODES \("b:6379"\): cannot be combined with REDIS_SENTINELS/);
    expect(problemsOf({ REDIS_URL: "redis://r:6379", REDIS_CLUSTER_NODES: "b:6379" })).toMatch(
      /REDIS_URL \(set\): must be unset or empty when REDIS_CLUSTER_NODES is set/,
    );
    expect(
      problemsOf({ REDIS_URL: "redis://r:6379", REDIS_SENTINELS: "a:1", REDIS_SENTINEL_NAME: "m" }),
    ).toMatch(/REDIS_URL .*REDIS_SENTINELS is set/);
  });

  it("needs the master name with sentinels, and each mode's settings only with that mode", () => {
    expect(problemsOf({ REDIS_SENTINELS: "a:26379" })).toMatch(
      /REDIS_SENTINEL_NAME \(unset\): is required with REDIS_SENTINELS/,
    );
    expect(problemsOf({ REDIS_SENTINEL_NAME: "m" })).toMatch(
      /REDIS_SENTINEL_NAME .*only applies with REDIS_SENTINELS/,
    );
    // Passwords are named, never shown.
    const problems = problemsOf({
      REDIS_PASSWORD: "hunter2hunter2",
      REDIS_SENTINEL_PASSWORD: "s3cret-s3cret",
    });
    expect(problems).toMatch(
      /REDIS_PASSWORD \(set\): only applies with REDIS_SENTINELS or REDIS_CLUSTER_NODES; with REDIS_URL put it in the URL/,
    );
    expect(problems).toMatch(/REDIS_SENTINEL_PASSWORD \(set\): only applies with REDIS_SENTINELS/);
    expect(problems).not.toMatch(/hunter2|s3cret/);
  });

  it("names the entry of a host:port list that is wrong", () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: "10.0.0.1:6379,redis-2" })).toMatch(
      /REDIS_CLUSTER_NODES \("10.0.0.1:6379,redis-2"\): must be comma-separated host:port entries .*"redis-2" is not one/,
    );
    expect(problemsOf({ REDIS_SENTINELS: "a:70000", REDIS_SENTINEL_NAME: "m" })).toMatch(
      /"a:70000" is not one/,
    );
    expect(problemsOf({ REDIS_SENTINELS: "redis://a:26379", REDIS_SENTINEL_NAME: "m" })).toMatch(
      /"redis:\/\/a:26379" is not one/,
    );
  });
});

describe("BullMQ keys per mode", () => {
  it("keeps the configured prefix on one Redis (existing deployments keep their keys)", () => {
    const single: RedisConnection = { mode: "single", url: "redis://127.0.0.1:6379" };
    const sentinel: RedisConnection = { mode: "sentinel", sentinels: [{ host: "a", port: 1 }], name: "m" };
    expect(bullmqPrefix(single, "occ", "frequent-sync")).toBe("occ");
    expect(bullmqPrefix(sentinel, "occ", "frequent-sync")).toBe("occ");
    expect(bullmqConnection(single, { maxRetriesPerRequest: null }).connection).toEqual({
      url: "redis://127.0.0.1:6379",
      maxRetriesPerRequest: null,
    });
  });

  it("hash-tags each queue's prefix on a Cluster, so a queue's keys share one slot", () => {
    const cluster: RedisConnection = { mode: "cluster", nodes: [{ host: "a", port: 1 }] };
    expect(bullmqPrefix(cluster, "occ", "frequent-sync")).toBe("{occ:frequent-sync}");
    expect(bullmqPrefix(cluster, "occ", "historical-sync")).toBe("{occ:historical-sync}");
  });
});

describe("describeRedis", () => {
  it("never shows a password", () => {
    expect(describeRedis({ mode: "single", url: "redis://:topsecret@cache:6380" })).toBe("redis cache:6380");
    expect(
      describeRedis({
        mode: "sentinel",
        sentinels: [{ host: "s1", port: 26379 }],
        name: "m",
        password: "topsecret",
      }),
    ).toBe('sentinel master "m" via s1:26379');
  });
});
