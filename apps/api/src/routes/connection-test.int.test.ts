import { rateLimiterFromConfig } from "@occ/core";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import request from "supertest";
import { ApiError } from "../errors";
import { createApiRedis } from "../index";
import { connectionToTest, testNewbookConnection } from "../services/connection-test";
import { NewbookProbePool } from "../services/newbook-probe-pool";
import { addKitchenWithManager, type Harness, startHarness, type TestKitchen } from "../testing/harness";
import { simulatorConnection } from "../testing/simulator";

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
        message: expect.stringMatching(/rate limiter/),
      });
    } finally {
      dead.disconnect();
    }
  });

  // Our own thread not starting says nothing about Newbook: a manager must not be told to check the base URL.
  it("answers 503 (ours), not 'Newbook unreachable', when the test's thread does not start in time", async () => {
    const pool = new NewbookProbePool({ bootMs: 1 }); // no thread loads its modules within 1 ms
    try {
      const outcome = await testNewbookConnection(connectionToTest(null, unsaved()), {
        config: h.config,
        rateLimiter: rateLimiterFromConfig(h.config, h.redis),
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
