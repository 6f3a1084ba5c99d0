import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findPromtool, promtoolCheckMetrics } from "@occ/testkit";
import request from "supertest";
import { createApiRedis } from "../index";
import { addAdmin, addKitchenWithManager, type Harness, startHarness } from "../testing/harness";

describe("operations endpoints", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { CORS_ORIGINS: "https://ops.example.com" } });
  });
  afterAll(() => h.close());

  it("healthz answers while the process is up", async () => {
    const res = await request(h.app).get("/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("readyz checks PostgreSQL, Redis and migrations", async () => {
    const res = await request(h.app).get("/readyz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok", migrations: "ok" } });
  });

  it("readyz answers 503 naming Redis when Redis is down", async () => {
    const dead = createApiRedis("redis://127.0.0.1:1", h.deps.logger);
    try {
      const res = await request(h.makeApp({ redis: dead })).get("/readyz");
      expect(res.status).toBe(503);
      expect(res.body.status).toBe("not_ready");
      expect(res.body.checks.postgres).toBe("ok");
      expect(res.body.checks.redis).toMatch(/^failed/);
    } finally {
      dead.disconnect();
    }
  });

  it("exposes Prometheus metrics with route templates and queue gauges", async () => {
    const k = await addKitchenWithManager(h);
    await request(h.app).get("/api/settings/newbook-frequent-sync").set("Authorization", `Bearer ${k.token}`);
    const res = await request(h.app).get("/metrics");
    expect(res.status).toBe(200);
    const count = res.text
      .split("\n")
      .find(
        (l) =>
          l.startsWith("http_request_duration_seconds_count") &&
          l.includes('route="/api/settings/newbook-frequent-sync"'),
      );
    expect(count).toMatch(/method="GET"/);
    expect(count).toMatch(/status="200"/);
    expect(count).toMatch(/ 1$/);
    expect(res.text).toMatch(/queue_jobs\{queue="frequent-sync",state="waiting",service="api"\} 0/);
  });

  const promtool = findPromtool();
  if (!promtool) console.warn("promtool not installed (Debian package prometheus): metrics lint skipped");
  (promtool ? it : it.skip)(
    `serves metrics that pass promtool's lint${promtool ? "" : " (SKIPPED: promtool not installed)"}`,
    async () => {
      const k = await addKitchenWithManager(h);
      await request(h.app).get("/api/me").set("Authorization", `Bearer ${k.token}`);
      const res = await request(h.app).get("/metrics");
      expect(await promtoolCheckMetrics(promtool!, res.text)).toEqual([]);
    },
  );

  it("serves an OpenAPI 3 document built from the route schemas", async () => {
    const res = await request(h.app).get("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.0.3");
    const paths = Object.keys(res.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/auth/login",
        "/api/settings/newbook-frequent-sync",
        "/api/newbook/sync-runs/{run_id}",
        "/api/admin/kitchens/{id}",
      ]),
    );
    const post = res.body.paths["/api/settings/newbook-frequent-sync"].post;
    expect(post.requestBody.content["application/json"].schema.$ref).toBe(
      "#/components/schemas/FrequentSyncSettingsUpdate",
    );
    expect(res.body.components.schemas.FrequentSyncSettingsUpdate.required).toEqual([
      "is_enabled",
      "sync_interval_minutes",
      "days_ahead",
    ]);
  });

  it("answers unknown API routes with the JSON error shape", async () => {
    const res = await request(h.app).get("/api/nope");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: "not_found", message: "No route for GET /api/nope", details: null },
    });
  });

  it("echoes a safe X-Request-Id, or makes one, and logs with it", async () => {
    const echoed = await request(h.app).get("/api/nope").set("X-Request-Id", "abc-123");
    expect(echoed.headers["x-request-id"]).toBe("abc-123");
    const made = await request(h.app).get("/healthz").set("X-Request-Id", "bad id with spaces");
    expect(made.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    await request(h.app)
      .post("/api/auth/login")
      .set("X-Request-Id", "trace-login-1")
      .send({ email: "no@x.y", password: "p" });
    expect(h.logs.lines.some((l) => l.includes('"request_id":"trace-login-1"'))).toBe(true);
  });

  it("sends security headers and allows only the configured CORS origins", async () => {
    const allowed = await request(h.app).get("/healthz").set("Origin", "https://ops.example.com");
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://ops.example.com");
    expect(allowed.headers["x-content-type-options"]).toBe("nosniff");
    const other = await request(h.app).get("/healthz").set("Origin", "https://evil.example.com");
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  describe("Bull Board", () => {
    it("opens for an admin through the session cookie", async () => {
      const admin = await addAdmin(h);
      const session = await request(h.app)
        .post("/api/admin/queues-session")
        .set("Authorization", `Bearer ${admin.token}`);
      expect(session.status).toBe(200);
      const cookie = session.headers["set-cookie"]?.[0] ?? "";
      expect(cookie).toMatch(/^occ_queues_session=/);
      expect(cookie).toMatch(/Path=\/admin\/queues/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      const value = cookie.split(";")[0]!;
      const page = await request(h.app).get("/admin/queues").set("Cookie", value);
      expect(page.status).toBe(200);
      expect(page.text).toContain("<title>Occupancy Sync queues</title>");
      const api = await request(h.app).get("/admin/queues/api/queues").set("Cookie", value);
      expect(api.status).toBe(200);
      expect(JSON.stringify(api.body)).toContain("frequent-sync");
    });

    it("refuses managers, strangers and forged cookies", async () => {
      const k = await addKitchenWithManager(h);
      const session = await request(h.app)
        .post("/api/admin/queues-session")
        .set("Authorization", `Bearer ${k.token}`);
      expect(session.status).toBe(403);
      expect(session.headers["set-cookie"]).toBeUndefined();
      const asManager = await request(h.app).get("/admin/queues").set("Authorization", `Bearer ${k.token}`);
      expect(asManager.status).toBe(403);
      const anonymous = await request(h.app).get("/admin/queues").set("Accept", "application/json");
      expect(anonymous.status).toBe(401);
      // A browser opening the link is sent to the admin UI, which opens a session and comes back.
      const browser = await request(h.app).get("/admin/queues").set("Accept", "text/html,*/*;q=0.8");
      expect(browser.status).toBe(302);
      expect(browser.headers.location).toBe("/open-queues");
      const forged = await request(h.app)
        .get("/admin/queues")
        .set("Cookie", "occ_queues_session=1.99999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      expect(forged.status).toBe(401);
    });
  });

  it("serves the admin UI with an SPA fallback that leaves the API alone", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "occ-ui-"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Occupancy Sync</title>");
    writeFileSync(path.join(dir, "app.js"), "console.log(1)");
    const app = h.makeApp({ uiDistDir: dir });
    expect((await request(app).get("/")).text).toContain("<title>Occupancy Sync</title>");
    expect((await request(app).get("/settings/newbook")).text).toContain("<title>Occupancy Sync</title>");
    expect((await request(app).get("/app.js")).text).toBe("console.log(1)");
    const api = await request(app).get("/api/unknown");
    expect(api.status).toBe(404);
    expect(api.body.error.code).toBe("not_found");
  });
});
