import type { Express } from "express";
import request from "supertest";
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from "../services/login-limiter";
import {
  addAdmin,
  addKitchenWithManager,
  type Harness,
  login,
  startHarness,
  type TestKitchen,
} from "../testing/harness";

describe("auth", () => {
  let h: Harness;
  let kitchen: TestKitchen;

  beforeAll(async () => {
    h = await startHarness();
    kitchen = await addKitchenWithManager(h, "Harbour Hotel", "Australia/Sydney");
  });
  afterAll(() => h.close());

  it("logs in and returns the user with their kitchen", async () => {
    const res = await request(h.app)
      .post("/api/auth/login")
      .send({ email: kitchen.email, password: kitchen.password });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      expires_in: 8 * 3600,
    });
    const me = await request(h.app).get("/api/me").set("Authorization", `Bearer ${res.body.access_token}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: { id: expect.any(Number), email: kitchen.email, role: "manager", kitchen_id: kitchen.id },
      kitchen: { id: kitchen.id, name: "Harbour Hotel", timezone: "Australia/Sydney" },
    });
  });

  it("accepts the e-mail in any case", async () => {
    const res = await request(h.app)
      .post("/api/auth/login")
      .send({ email: kitchen.email.toUpperCase(), password: kitchen.password });
    expect(res.status).toBe(200);
  });

  it("rejects wrong passwords and unknown users with the same answer", async () => {
    const wrong = await request(h.app)
      .post("/api/auth/login")
      .send({ email: kitchen.email, password: "nope" });
    const unknown = await request(h.app)
      .post("/api/auth/login")
      .send({ email: "x@example.com", password: "nope" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe("invalid_credentials");
  });

  it("validates the login body", async () => {
    const res = await request(h.app).post("/api/auth/login").send({ email: "a@b.c" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_error");
    expect(res.body.error.details).toEqual([{ field: "password", message: "password is required" }]);
  });

  it("gives an admin a null kitchen", async () => {
    const admin = await addAdmin(h);
    const me = await request(h.app).get("/api/me").set("Authorization", `Bearer ${admin.token}`);
    expect(me.body).toEqual({
      user: { id: admin.id, email: admin.email, role: "admin", kitchen_id: null },
      kitchen: null,
    });
  });

  it.each([
    ["no header", undefined],
    ["a malformed header", "Token abc"],
    ["a forged token", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"],
  ])("answers 401 for %s", async (_label, header) => {
    const req = request(h.app).get("/api/me");
    if (header) req.set("Authorization", header);
    const res = await req;
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe("Bearer");
  });

  it("ends older tokens and Bull Board cookies on password change, role change and log out everywhere", async () => {
    const admin = await addAdmin(h);
    const user = await addKitchenWithManager(h, "Versioned");
    const me = (token: string) => request(h.app).get("/api/me").set("Authorization", `Bearer ${token}`);
    const [row] = (
      await request(h.app).get("/api/admin/users").set("Authorization", `Bearer ${admin.token}`)
    ).body.users.filter((u: { email: string }) => u.email === user.email);
    const patch = (body: object) =>
      request(h.app)
        .patch(`/api/admin/users/${row.id}`)
        .set("Authorization", `Bearer ${admin.token}`)
        .send(body);

    const beforePassword = user.token;
    expect((await me(beforePassword)).status).toBe(200);
    expect((await patch({ password: "a-new-password-1" })).status).toBe(200);
    expect((await me(beforePassword)).status).toBe(401);

    const beforeRole = await login(h.app, user.email, "a-new-password-1");
    expect((await me(beforeRole)).status).toBe(200);
    expect((await patch({ role: "admin" })).status).toBe(200);
    expect((await me(beforeRole)).status).toBe(401);

    const current = await login(h.app, user.email, "a-new-password-1");
    const opened = await request(h.app)
      .post("/api/admin/queues-session")
      .set("Authorization", `Bearer ${current}`);
    const cookie = String(opened.headers["set-cookie"]?.[0] ?? "").split(";")[0]!;
    expect((await request(h.app).get("/admin/queues").set("Cookie", cookie)).status).toBe(200);
    const out = await request(h.app)
      .post("/api/auth/logout-everywhere")
      .set("Authorization", `Bearer ${current}`);
    expect(out.status).toBe(204);
    expect((await me(current)).status).toBe(401);
    expect((await request(h.app).get("/admin/queues").set("Cookie", cookie)).status).toBe(401);
    // A new sign-in works as before.
    expect((await me(await login(h.app, user.email, "a-new-password-1"))).status).toBe(200);
  });

  const behindProxy = (loginLimits: Partial<LoginLimits> = {}) =>
    h.makeApp({
      config: { ...h.config, TRUST_PROXY: ["loopback"] },
      loginLimits: { ...DEFAULT_LOGIN_LIMITS, ...loginLimits },
    });
  const attempt = (app: Express, ip: string, email: string, password: string) =>
    request(app).post("/api/auth/login").set("X-Forwarded-For", ip).send({ email, password });

  it("never lets a stranger lock an account: the right password from another client still works", async () => {
    const app = behindProxy();
    const target = await addAdmin(h);
    let last = await attempt(app, "203.0.113.5", target.email, "bad");
    for (let i = 0; i < 12; i += 1) last = await attempt(app, "203.0.113.5", target.email, "bad");
    expect(last.status).toBe(429);
    expect(last.body.error.code).toBe("too_many_attempts");
    expect(Number(last.headers["retry-after"])).toBeGreaterThan(0);
    const fromElsewhere = await attempt(app, "198.51.100.7", target.email, target.password);
    expect(fromElsewhere.status).toBe(200);
  });

  it("makes one client wait longer after each further failure on an account", async () => {
    const app = behindProxy({ freeFailures: 2 });
    const target = await addKitchenWithManager(h, "Delayed");
    const ip = "203.0.113.9";
    for (let i = 0; i < 3; i += 1) expect((await attempt(app, ip, target.email, "bad")).status).toBe(401);
    const first = await attempt(app, ip, target.email, "bad");
    expect(first.status).toBe(429);
    expect(first.headers["retry-after"]).toBe("1");
    // Waits for the 1 s delay to pass (polling, bounded), then fails once more: the delay doubles.
    const deadline = Date.now() + 5_000;
    let next = await attempt(app, ip, target.email, "bad");
    while (next.status === 429 && Date.now() < deadline) next = await attempt(app, ip, target.email, "bad");
    expect(next.status).toBe(401);
    const second = await attempt(app, ip, target.email, "bad");
    expect(second.status).toBe(429);
    expect(second.headers["retry-after"]).toBe("2");
  });

  it("caps failures per client address across accounts", async () => {
    const app = behindProxy({ perIp: 5 });
    const ip = "10.9.8.7";
    let last = await attempt(app, ip, "a@example.com", "x");
    for (let i = 0; i < 6; i += 1) last = await attempt(app, ip, `user${i}@example.com`, "x");
    expect(last.status).toBe(429);
    expect(last.body.error.message).toMatch(/from this address/);
    expect((await attempt(app, "10.9.8.6", kitchen.email, kitchen.password)).status).toBe(200);
  });

  it("ignores X-Forwarded-For unless TRUST_PROXY names the peer", async () => {
    // Default: no trusted proxy. A fresh forged address per request must not buy a fresh budget.
    const app = h.makeApp({ loginLimits: { ...DEFAULT_LOGIN_LIMITS, perIp: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1)
      statuses.push((await attempt(app, `192.168.7.${i}`, `forged${i}@example.com`, "x")).status);
    // (Earlier tests in this file failed from the same loopback address too, so the 429 may come sooner.)
    const firstRefused = statuses.indexOf(429);
    expect(firstRefused).toBeGreaterThanOrEqual(0);
    expect(firstRefused).toBeLessThanOrEqual(6);
    expect(statuses.slice(firstRefused).every((status) => status === 429)).toBe(true);
  });
});
