import request from "supertest";
import {
  addAdmin,
  type Harness,
  seedVictimAndOther,
  startHarness,
  type TestKitchen,
} from "./testing/harness";
import { fillPath, routeTable } from "./testing/route-table";
import { kitchenSnapshot } from "./testing/snapshot";

/** Valid bodies, so the walk reaches the tenancy check rather than stopping at validation. */
const BODIES: Record<string, object> = {
  "POST /api/settings/newbook-frequent-sync": { is_enabled: false, sync_interval_minutes: 5, days_ahead: 3 },
  "PATCH /api/settings/newbook-frequent-sync": { days_ahead: 2 },
  "PUT /api/settings/newbook-connection": {
    region: "eu",
    username: "intruder",
    password: "p-intruder",
    api_key: "k-intruder",
  },
  "POST /api/settings/newbook-connection/test": {},
  "POST /api/newbook/sync": { date_from: "2025-01-01", date_to: "2025-01-31" },
  "POST /api/admin/kitchens": { name: "Intruder", timezone: "UTC" },
  "PATCH /api/admin/kitchens/:id": { name: "Renamed by intruder" },
  "POST /api/admin/users": { email: "intruder@example.com", password: "intruder-pw-1", role: "admin" },
  "PATCH /api/admin/users/:id": { role: "admin" },
};

describe("tenancy: another kitchen's manager reaches nothing", () => {
  let h: Harness;
  let victim: TestKitchen;
  let intruder: TestKitchen;
  const params: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness();
    const seeded = await seedVictimAndOther(h, "Intruder", {
      password: "victim-pass-1",
      api_key: "victim-key-1",
    });
    victim = seeded.victim;
    intruder = seeded.other;
    params.run_id = seeded.victimRunId;
    params.job_id = seeded.victimRunId;
    params.id = String(victim.id);
    params.meal = "breakfast";
  });
  afterAll(() => h.close());

  it("covers every route, and each answers 403 or 404", async () => {
    const before = await kitchenSnapshot(h.db.handle.db, victim.id);
    const routes = routeTable(h).filter((r) => r.access === "kitchen" || r.access === "admin");
    expect(routes.length).toBeGreaterThanOrEqual(24);
    const outcomes: string[] = [];
    for (const route of routes) {
      const key = `${route.method.toUpperCase()} ${route.path}`;
      const path = fillPath(route.path, params);
      const attempts =
        route.access === "kitchen"
          ? // A victim's id in the path is tried from the intruder's own scope too (not a `:meal` name).
            [`${path}?kitchen_id=${victim.id}`, ...(/:(run_id|job_id|id)\b/.test(route.path) ? [path] : [])]
          : [path];
      for (const url of attempts) {
        const res = await request(h.app)
          [route.method](url)
          .set("Authorization", `Bearer ${intruder.token}`)
          .send(BODIES[key] ?? {});
        outcomes.push(
          `${key} ${url.includes("kitchen_id") ? "(kitchen_id)" : "(own scope)"} -> ${res.status}`,
        );
        expect([403, 404]).toContain(res.status);
        expect(JSON.stringify(res.body)).not.toContain("victim-pass-1");
      }
    }
    expect(await kitchenSnapshot(h.db.handle.db, victim.id)).toEqual(before);
    // The own-scope lookups of the victim's run and job are 404s, not 403s: their existence is not revealed.
    expect(
      outcomes.filter((o) => o.includes(":run_id") || o.includes(":job_id")).some((o) => o.endsWith("404")),
    ).toBe(true);
  });

  it("lets an admin through the same routes (the walk is not vacuous)", async () => {
    const admin = await addAdmin(h);
    const res = await request(h.app)
      .get(`/api/newbook/sync-runs/${params.run_id}?kitchen_id=${victim.id}`)
      .set("Authorization", `Bearer ${admin.token}`);
    expect(res.status).toBe(200);
    const own = await request(h.app)
      .get(`/api/newbook/sync-runs/${params.run_id}`)
      .set("Authorization", `Bearer ${victim.token}`);
    expect(own.status).toBe(200);
  });
});
