import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import request from "supertest";
import { createApiRedis } from "../index";
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
      expect(res.body.error.code).toBe("service_unavailable");
    } finally {
      dead.disconnect();
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
