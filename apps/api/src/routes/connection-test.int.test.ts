import http from "node:http";
import type { AddressInfo } from "node:net";
import { credentialKey, rateLimiterFromConfig } from "@occ/core";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import request from "supertest";
import { ApiError } from "../errors";
import { createApiRedis } from "../index";
import { connectionToTest, testNewbookConnection } from "../services/connection-test";
import { UNREACHABLE_REASON } from "../services/newbook-probe";
import { NewbookProbePool } from "../services/newbook-probe-pool";
import {
  addKitchenWithManager,
  type Harness,
  startHarness,
  TEST_REDIS_URL,
  type TestKitchen,
} from "../testing/harness";
import { simulatorConnection } from "../testing/simulator";
import { startSlowProxy } from "../testing/slow-proxy";

/**
 * Uses up the credential's whole request budget in the shared limiter, as running syncs of it would;
 * returns when (performance.now(), just before) and how to give the budget back.
 */
async function useUpBudget(h: Harness, connection: { base_url: string; username: string; api_key: string }) {
  const limiter = rateLimiterFromConfig(h.config, h.redis);
  const key = credentialKey({
    baseUrl: connection.base_url,
    username: connection.username,
    apiKey: connection.api_key,
  });
  // From a fresh window (earlier tests' slots gone), every slot at one instant, so the first one frees a
  // whole window after usedUpAt, not earlier.
  await h.redis.del(limiter.keyFor(key));
  const usedUpAt = performance.now();
  expect(await limiter.tryAcquire(key, h.config.NEWBOOK_RATE_LIMIT)).toBe(0);
  return { usedUpAt, giveBack: async () => void (await h.redis.del(limiter.keyFor(key))) };
}

describe("POST /api/settings/newbook-connection/test against the simulator", () => {
  let h: Harness;
  let sim: RunningSimulator;
  let k: TestKitchen;
  const path = "/api/settings/newbook-connection/test";
  const as = () => ({ Authorization: `Bearer ${k.token}` });

  beforeAll(async () => {
    sim = await startSimulator({ properties: 1, rooms: 12, seed: 7 });
    h = await startHarness({ env: { NEWBOOK_RETRY_BASE_MS: "1", NEWBOOK_TIMEOUT_MS: "2000" } });
    k = await addKitchenWithManager(h);
  });
  afterAll(async () => {
    await h.close();
    await sim.close();
  });

  const property = () => sim.properties[0]!;
  const unsaved = () => ({ ...simulatorConnection(sim), region: property().region.toUpperCase() });

  it("tests unsaved values and lists rooms, categories and GL accounts", async () => {
    const res = await request(h.app).post(path).set(as()).send(unsaved());
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.rooms).toBe(12);
    expect(res.body.categories).toBeGreaterThan(0);
    expect(res.body.gl_accounts.length).toBeGreaterThan(0);
    expect(res.body.gl_accounts[0]).toEqual({
      id: expect.any(String),
      code: expect.anything(),
      name: expect.any(String),
      group: expect.anything(),
    });
  });

  it("reports a rejected password as ok: false with a reason", async () => {
    const res = await request(h.app)
      .post(path)
      .set(as())
      .send({ ...unsaved(), password: "wrong-password-123" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: false, reason: "Newbook rejected the username or password" });
  });

  it("falls back to the saved secrets", async () => {
    const saved = await request(h.app)
      .put("/api/settings/newbook-connection")
      .set(as())
      .send({ ...unsaved(), password: property().password });
    expect(saved.status).toBe(200);
    const res = await request(h.app).post(path).set(as());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, rooms: 12 });
    // An unsaved wrong key overrides the saved one.
    const wrongKey = await request(h.app).post(path).set(as()).send({ api_key: "not-the-key-0000" });
    expect(wrongKey.body.ok).toBe(false);
  });

  it("reports an unreachable Newbook as ok: false", async () => {
    const res = await request(h.app)
      .post(path)
      .set(as())
      .send({ ...unsaved(), base_url: "http://127.0.0.1:9/rest" });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.reason).toEqual(expect.any(String));
  });

  it("answers 503 when the shared rate limiter (Redis) is unreachable", async () => {
    const dead = createApiRedis("redis://127.0.0.1:1", h.deps.logger);
    try {
      const res = await request(h.makeApp({ redis: dead }))
        .post(path)
        .set(as())
        .send(unsaved());
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({
        code: "service_unavailable",
        message: expect.stringMatching(/temporarily unavailable/),
      });
    } finally {
      dead.disconnect();
    }
  });

  // Our Redis answering late says nothing about Newbook: before the fix, the wait for it ran out the
  // Newbook deadline and the manager read "check the base URL".
  it("answers 503 (ours), not 'Newbook unreachable', when the rate limiter's Redis is slow", async () => {
    const proxy = await startSlowProxy(new URL(TEST_REDIS_URL));
    const slow = createApiRedis(proxy.url, h.deps.logger);
    try {
      expect(await slow.ping()).toBe("PONG");
      // Every Redis answer now comes 5 s late: past the API's Redis bound (2 s), within the test deadline.
      proxy.delayMs = 5_000;
      const res = await request(h.makeApp({ redis: slow }))
        .post(path)
        .set(as())
        .send(unsaved());
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: {
          code: "service_unavailable",
          message: expect.stringMatching(/temporarily unavailable.*Newbook was not asked/),
          details: null,
        },
      });
    } finally {
      slow.disconnect();
      await proxy.close();
    }
  });

  // The budget is ours (shared with the credential's syncs): the answer says so and when to ask again,
  // rather than blaming Newbook.
  it("answers 429 with Retry-After when the credential's own request budget is used up", async () => {
    const budget = await useUpBudget(h, unsaved());
    try {
      const res = await request(h.app).post(path).set(as()).send(unsaved());
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers["retry-after"]);
      // The budget frees a window (60 s here) after it was used up.
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(h.config.NEWBOOK_RATE_WINDOW_MS / 1000) + 1);
      expect(res.body).toEqual({
        error: {
          code: "rate_limited",
          message: expect.stringMatching(/request budget .* is used up.*try again in \d+ seconds/),
          details: { reason: "own_rate_limit", retry_after_seconds: retryAfter },
        },
      });
    } finally {
      await budget.giveBack();
    }
    // With the budget back, the same test passes: the thread that was refused a slot is fine.
    const again = await request(h.app).post(path).set(as()).send(unsaved());
    expect(again.body).toMatchObject({ ok: true, rooms: 12 });
  });

  // Our own thread not starting says nothing about Newbook: a manager must not be told to check the base URL.
  it("answers 503 (ours), not 'Newbook unreachable', when the test's thread does not start in time", async () => {
    const pool = new NewbookProbePool({ bootMs: 1 }); // no thread loads its modules within 1 ms
    try {
      const outcome = await testNewbookConnection(connectionToTest(null, unsaved()), {
        config: h.config,
        rateLimiter: rateLimiterFromConfig(h.config, h.redis),
        redisTimeoutMs: 2_000,
        pool,
        logger: h.deps.logger,
      }).catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(ApiError);
      expect(outcome).toMatchObject({ status: 503, code: "service_unavailable" });
      expect((outcome as ApiError).message).toMatch(/could not start/);
    } finally {
      await pool.close();
    }
  });

  it("validates the body", async () => {
    const res = await request(h.app).post(path).set(as()).send({ region: "mars" });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("region");
  });

  it("never returns or logs the secrets", async () => {
    const text = h.logs.text();
    expect(text).not.toContain(property().password);
    expect(text).not.toContain(property().apiKey);
  });
});

describe("POST /api/settings/newbook-connection/test: Newbook's deadline starts when the request is sent", () => {
  let h: Harness;
  let sim: RunningSimulator;
  let k: TestKitchen;
  const path = "/api/settings/newbook-connection/test";
  const as = () => ({ Authorization: `Bearer ${k.token}` });
  // A budget used up now frees 3 s + 5 % later: within the API's budget wait, past Newbook's 1.5 s.
  const WINDOW_MS = 3_000;
  const HELD_MS = WINDOW_MS * 1.05;
  const DEADLINE_MS = 1_500;

  beforeAll(async () => {
    sim = await startSimulator({ properties: 1, rooms: 12, seed: 7 });
    h = await startHarness({
      env: {
        NEWBOOK_RETRY_BASE_MS: "1",
        NEWBOOK_RATE_WINDOW_MS: String(WINDOW_MS),
        NEWBOOK_TEST_TIMEOUT_MS: String(DEADLINE_MS),
      },
    });
    k = await addKitchenWithManager(h);
    // Boots the probe thread (slow from TypeScript on a busy machine), so the timings below are the tests'.
    const warm = await request(h.app).post(path).set(as()).send(simulatorConnection(sim));
    expect(warm.body).toMatchObject({ ok: true });
  }, 120_000);
  afterAll(async () => {
    await h.close();
    await sim.close();
  });

  it("waits for a slot of the credential's own budget, then gives Newbook its whole deadline", async () => {
    const connection = simulatorConnection(sim);
    const budget = await useUpBudget(h, connection);
    try {
      const res = await request(h.app).post(path).set(as()).send(connection);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, rooms: 12 });
      // It did wait for the budget (longer than Newbook's own deadline); 100 ms for timer and clock
      // granularity between Redis and this process.
      expect(performance.now() - budget.usedUpAt).toBeGreaterThanOrEqual(HELD_MS - 100);
    } finally {
      await budget.giveBack();
    }
  });

  it("still reads a silent Newbook as 'unreachable', a whole deadline after the request was sent", async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const connection = {
      ...simulatorConnection(sim),
      base_url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/rest`,
    };
    const budget = await useUpBudget(h, connection);
    try {
      const res = await request(h.app).post(path).set(as()).send(connection);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: false, reason: UNREACHABLE_REASON });
      // The request went out once the budget freed; Newbook then had its whole deadline (100 ms for
      // timer and clock granularity between Redis and this process).
      expect(performance.now() - budget.usedUpAt).toBeGreaterThanOrEqual(HELD_MS + DEADLINE_MS - 100);
    } finally {
      await budget.giveBack();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
