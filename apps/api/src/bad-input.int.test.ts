import request from "supertest";
import {
  addAdmin,
  addKitchenWithManager,
  type Harness,
  startHarness,
  type TestKitchen,
} from "./testing/harness";

/** Inputs the security review found answered with a 500: each must be a 4xx naming the field. */
describe("bad input is a 4xx in the error shape, never a 500", () => {
  let h: Harness;
  let k: TestKitchen;
  let admin: { token: string };

  beforeAll(async () => {
    h = await startHarness();
    k = await addKitchenWithManager(h, "Inputs");
    admin = await addAdmin(h);
  });
  afterAll(() => h.close());

  const expect400 = (res: request.Response, field: string) => {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_error");
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  };

  it("refuses NUL characters in any string, naming the field", async () => {
    expect400(
      await request(h.app).post("/api/auth/login").send({ email: "a\u0000@example.com", password: "x" }),
      "email",
    );
    expect400(
      await request(h.app)
        .post("/api/admin/kitchens")
        .set("Authorization", `Bearer ${admin.token}`)
        .send({ name: "Bad\u0000Kitchen", timezone: "Europe/London" }),
      "name",
    );
    const connection = {
      base_url: "http://127.0.0.1:9/rest",
      region: "eu",
      username: "user\u0000name",
      password: "password-1",
      api_key: "api-key-1",
    };
    expect400(
      await request(h.app)
        .put("/api/settings/newbook-connection")
        .set("Authorization", `Bearer ${k.token}`)
        .send(connection),
      "username",
    );
    expect400(
      await request(h.app)
        .put("/api/settings/newbook-connection")
        .set("Authorization", `Bearer ${k.token}`)
        .send({ ...connection, username: "ok", breakfast_gl_account_ids: ["1", "2\u0000"] }),
      "breakfast_gl_account_ids.1",
    );
  });

  it("treats a malformed Bull Board cookie as no session", async () => {
    const res = await request(h.app).get("/admin/queues").set("Cookie", "occ_queues_session=%E0%A4%A");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });

  it("refuses kitchen_id beyond PostgreSQL's integer range", async () => {
    const res = await request(h.app)
      .get("/api/occupancy?kitchen_id=2147483648")
      .set("Authorization", `Bearer ${admin.token}`);
    expect400(res, "kitchen_id");
  });

  it("refuses dates whose windows overflow", async () => {
    const res = await request(h.app)
      .get("/api/residents?start=9999-12-31")
      .set("Authorization", `Bearer ${k.token}`);
    expect400(res, "start");
  });
});
