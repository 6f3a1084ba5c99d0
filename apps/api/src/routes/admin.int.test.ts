import { newbookFrequentSyncSettings, users } from "@occ/db";
import { eq } from "drizzle-orm";
import request from "supertest";
import { ensureFirstAdmin } from "../services/users";
import { addAdmin, addKitchenWithManager, type Harness, login, startHarness } from "../testing/harness";

describe("admin endpoints", () => {
  let h: Harness;
  let admin: { token: string };
  const asAdmin = () => ({ Authorization: `Bearer ${admin.token}` });

  beforeAll(async () => {
    h = await startHarness();
    admin = await addAdmin(h);
  });
  afterAll(() => h.close());

  it("creates a kitchen with its default settings row", async () => {
    const res = await request(h.app)
      .post("/api/admin/kitchens")
      .set(asAdmin())
      .send({ name: "  Lakeside  ", timezone: "Europe/Berlin" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: "Lakeside",
      timezone: "Europe/Berlin",
      created_at: expect.any(String),
    });
    const [settings] = await h.db.handle.db
      .select()
      .from(newbookFrequentSyncSettings)
      .where(eq(newbookFrequentSyncSettings.kitchenId, res.body.id));
    expect(settings).toMatchObject({ isEnabled: true, syncIntervalMinutes: 15, daysAhead: 7 });
  });

  it.each([
    [{ name: "X", timezone: "Mars/Olympus" }, "timezone", /IANA/],
    [{ name: "", timezone: "UTC" }, "name", /required/],
    [{ timezone: "UTC" }, "name", /required/],
  ])("rejects kitchen %j", async (body, field, message) => {
    const res = await request(h.app).post("/api/admin/kitchens").set(asAdmin()).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it("lists, updates and deletes kitchens", async () => {
    const created = await request(h.app)
      .post("/api/admin/kitchens")
      .set(asAdmin())
      .send({ name: "Tmp", timezone: "UTC" });
    const id = created.body.id as number;
    const list = await request(h.app).get("/api/admin/kitchens").set(asAdmin());
    expect(list.body.kitchens.map((k: { id: number }) => k.id)).toContain(id);
    const patched = await request(h.app)
      .patch(`/api/admin/kitchens/${id}`)
      .set(asAdmin())
      .send({ timezone: "Asia/Tokyo" });
    expect(patched.body).toMatchObject({ id, name: "Tmp", timezone: "Asia/Tokyo" });
    expect((await request(h.app).delete(`/api/admin/kitchens/${id}`).set(asAdmin())).status).toBe(204);
    expect((await request(h.app).delete(`/api/admin/kitchens/${id}`).set(asAdmin())).status).toBe(404);
    expect(
      (await request(h.app).patch(`/api/admin/kitchens/${id}`).set(asAdmin()).send({ name: "x" })).status,
    ).toBe(404);
    expect(
      (await request(h.app).patch("/api/admin/kitchens/abc").set(asAdmin()).send({ name: "x" })).status,
    ).toBe(400);
  });

  it("manages users, who can then sign in", async () => {
    const kitchen = await request(h.app)
      .post("/api/admin/kitchens")
      .set(asAdmin())
      .send({ name: "Users", timezone: "UTC" });
    const addManager = (email: string) =>
      request(h.app)
        .post("/api/admin/users")
        .set(asAdmin())
        .send({ email, password: "long-enough-pw", role: "manager", kitchen_id: kitchen.body.id });
    const created = await addManager("chef@example.com");
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      email: "chef@example.com",
      role: "manager",
      kitchen_id: kitchen.body.id,
      active: true,
      deactivated_at: null,
      created_at: expect.any(String),
    });
    expect(JSON.stringify(created.body)).not.toContain("long-enough-pw");
    await login(h.app, "chef@example.com", "long-enough-pw");

    const dup = await addManager("CHEF@example.com");
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("email_taken");

    const noKitchen = await request(h.app)
      .post("/api/admin/users")
      .set(asAdmin())
      .send({ email: "b@example.com", password: "long-enough-pw", role: "manager" });
    expect(noKitchen.status).toBe(400);
    expect(noKitchen.body.error.details[0].field).toBe("kitchen_id");
    const missingKitchen = await request(h.app)
      .post("/api/admin/users")
      .set(asAdmin())
      .send({ email: "b@example.com", password: "long-enough-pw", role: "manager", kitchen_id: 999999 });
    expect(missingKitchen.status).toBe(400);

    const listed = await request(h.app).get(`/api/admin/users?kitchen_id=${kitchen.body.id}`).set(asAdmin());
    expect(listed.body.users.map((u: { email: string }) => u.email)).toEqual(["chef@example.com"]);

    const changed = await request(h.app)
      .patch(`/api/admin/users/${created.body.id}`)
      .set(asAdmin())
      .send({ password: "a-new-password-1" });
    expect(changed.status).toBe(200);
    await login(h.app, "chef@example.com", "a-new-password-1");
    const [row] = await h.db.handle.db.select().from(users).where(eq(users.id, created.body.id));
    expect(row!.passwordHash).toMatch(/^scrypt\$/);
    expect(row!.passwordHash).not.toContain("a-new-password-1");

    expect((await request(h.app).delete(`/api/admin/users/${created.body.id}`).set(asAdmin())).status).toBe(
      204,
    );
    expect((await request(h.app).delete(`/api/admin/users/${created.body.id}`).set(asAdmin())).status).toBe(
      404,
    );
  });

  it("ends a user's sessions on password reset and deactivation, and refuses a deactivated sign-in", async () => {
    const k = await addKitchenWithManager(h, "Sessions");
    const asManager = { Authorization: `Bearer ${k.token}` };
    const me = await request(h.app).get("/api/me").set(asManager);
    expect(me.status).toBe(200);
    const id = me.body.user.id as number;

    const reset = await request(h.app)
      .patch(`/api/admin/users/${id}`)
      .set(asAdmin())
      .send({ password: "reset-by-admin-1" });
    expect(reset.status).toBe(200);
    expect((await request(h.app).get("/api/me").set(asManager)).status).toBe(401);
    const fresh = await login(h.app, k.email, "reset-by-admin-1");
    expect(
      (
        await request(h.app)
          .get("/api/me")
          .set({ Authorization: `Bearer ${fresh}` })
      ).status,
    ).toBe(200);

    const off = await request(h.app).patch(`/api/admin/users/${id}`).set(asAdmin()).send({ active: false });
    expect(off.body).toMatchObject({ active: false, deactivated_at: expect.any(String) });
    expect(
      (
        await request(h.app)
          .get("/api/me")
          .set({ Authorization: `Bearer ${fresh}` })
      ).status,
    ).toBe(401);
    const refused = await request(h.app)
      .post("/api/auth/login")
      .send({ email: k.email, password: "reset-by-admin-1" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/deactivated/);

    const on = await request(h.app).patch(`/api/admin/users/${id}`).set(asAdmin()).send({ active: true });
    expect(on.body).toMatchObject({ active: true, deactivated_at: null });
    await login(h.app, k.email, "reset-by-admin-1");
  });

  it("will not let an admin deactivate themselves", async () => {
    const me = await request(h.app).get("/api/me").set(asAdmin());
    const res = await request(h.app)
      .patch(`/api/admin/users/${me.body.user.id}`)
      .set(asAdmin())
      .send({ active: false });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toEqual({
      field: "active",
      message: expect.stringMatching(/own account/),
    });
  });

  it.each([
    [{ email: "not-an-email", password: "long-enough-pw", role: "manager", kitchen_id: 1 }, "email"],
    [{ email: "a@example.com", password: "short", role: "manager", kitchen_id: 1 }, "password"],
    [{ email: "a@example.com", password: "long-enough-pw", role: "owner", kitchen_id: 1 }, "role"],
    [{ email: "a@example.com", password: "long-enough-pw", role: "manager", kitchen_id: "1" }, "kitchen_id"],
  ])("rejects user %j", async (body, field) => {
    const res = await request(h.app).post("/api/admin/users").set(asAdmin()).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe(field);
  });

  it("shows every kitchen's sync health", async () => {
    const k = await addKitchenWithManager(h, "Healthy");
    const res = await request(h.app).get("/api/admin/kitchens/health?q=Healthy").set(asAdmin());
    expect(res.status).toBe(200);
    expect(res.body.kitchens.find((x: { id: number }) => x.id === k.id)).toEqual({
      id: k.id,
      name: "Healthy",
      timezone: "Europe/London",
      has_connection: false,
      is_enabled: true,
      state: "not_connected",
      reason: "No Newbook connection saved",
      since: null,
      sync_interval_minutes: 15,
      effective_interval_minutes: 15,
      last_sync_status: null,
      last_sync_at: null,
      last_success_at: null,
      consecutive_failures: 0,
      stale: false,
      next_sync_at: null,
      open_alerts: [],
    });
  });

  it("lets an admin act on a kitchen with ?kitchen_id=", async () => {
    const k = await addKitchenWithManager(h, "Scoped");
    const res = await request(h.app)
      .get(`/api/settings/newbook-frequent-sync?kitchen_id=${k.id}`)
      .set(asAdmin());
    expect(res.status).toBe(200);
    const without = await request(h.app).get("/api/settings/newbook-frequent-sync").set(asAdmin());
    expect(without.status).toBe(400);
    expect(without.body.error.code).toBe("kitchen_required");
    const missing = await request(h.app)
      .get("/api/settings/newbook-frequent-sync?kitchen_id=999999")
      .set(asAdmin());
    expect(missing.status).toBe(404);
  });

  it("creates the first admin only while there are no users", async () => {
    expect(
      await ensureFirstAdmin(h.db.handle.db, { email: "root@example.com", password: "root-password-1" }),
    ).toBeNull();
  });
});
