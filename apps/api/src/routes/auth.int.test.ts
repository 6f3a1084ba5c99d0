import request from "supertest";
import {
  addAdmin,
  addKitchenWithManager,
  type Harness,
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

  it("rate-limits failed logins per account with Retry-After", async () => {
    const target = await addKitchenWithManager(h, "Limited");
    let last = await request(h.app).post("/api/auth/login").send({ email: target.email, password: "bad" });
    for (let i = 0; i < 10; i += 1)
      last = await request(h.app).post("/api/auth/login").send({ email: target.email, password: "bad" });
    expect(last.status).toBe(429);
    expect(last.body.error.code).toBe("too_many_attempts");
    expect(last.body.error.message).toMatch(
      /Too many failed sign-in attempts for this account; try again in \d+ minutes/,
    );
    expect(Number(last.headers["retry-after"])).toBeGreaterThan(0);
    // Even the right password is refused until the window passes.
    const right = await request(h.app)
      .post("/api/auth/login")
      .send({ email: target.email, password: target.password });
    expect(right.status).toBe(429);
  });

  it("rate-limits attempts per client IP", async () => {
    const app = h.makeApp({ loginLimits: { windowMs: 60_000, perIp: 5, perAccount: 100 } });
    const ip = "10.9.8.7";
    let last = await request(app)
      .post("/api/auth/login")
      .set("X-Forwarded-For", ip)
      .send({ email: "a@example.com", password: "x" });
    for (let i = 0; i < 5; i += 1)
      last = await request(app)
        .post("/api/auth/login")
        .set("X-Forwarded-For", ip)
        .send({ email: `user${i}@example.com`, password: "x" });
    expect(last.status).toBe(429);
    expect(last.body.error.message).toMatch(/from this address/);
    const otherIp = await request(app)
      .post("/api/auth/login")
      .set("X-Forwarded-For", "10.9.8.6")
      .send({ email: kitchen.email, password: kitchen.password });
    expect(otherIp.status).toBe(200);
  });
});
