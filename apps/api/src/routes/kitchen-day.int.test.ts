import { randomUUID } from "node:crypto";
import { addDays, localDateIn, runFrequentSync } from "@occ/core";
import { dailyOccupancy } from "@occ/db";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import { seedKitchenWithConnection } from "@occ/testkit";
import { and, eq } from "drizzle-orm";
import request from "supertest";
import { createUser } from "../services/users";
import { addAdmin, addKitchenWithManager, type Harness, login, startHarness } from "../testing/harness";

const SEED = 23;
// GL accounts of the simulator's properties: 101 breakfast, 102 dinner.
const MEALS = { breakfastGlAccountIds: ["101"], dinnerGlAccountIds: ["102"] };

type Wire = Record<string, unknown> & {
  guests: { firstname: string; lastname: string; dietary_requirements: string[]; vip_when: string | null }[];
};
interface ArrivalRow {
  booking_id: string;
  eta: string | null;
  arrived: boolean;
  dietary: { requirement: string; guest: string | null }[];
  vip: boolean;
  group_name: string | null;
  notes: string[];
  adults: number;
  children: number;
  infants: number;
}
interface Arrivals {
  days: {
    date: string;
    bookings: number;
    guests: number;
    arrived: number;
    hours: { hour: string | null; bookings: number; guests: number; arrivals: ArrivalRow[] }[];
  }[];
}

describe("the kitchen's day over a real sync", () => {
  let sim: RunningSimulator;
  let h: Harness;
  let kitchenId: number;
  let token: string;
  let today: string;
  const as = (t = token) => ({ Authorization: `Bearer ${t}` });

  async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${sim.controlUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async function sync() {
    const result = await runFrequentSync(
      { db: h.db.handle.db, config: h.config, logger: h.deps.logger },
      { kitchenId, runId: randomUUID(), trigger: "test" },
    );
    expect(result.status).toBe("success");
  }

  const getArrivals = async () => {
    const res = await request(h.app).get("/api/arrivals").set(as());
    expect(res.status).toBe(200);
    return res.body as Arrivals;
  };

  beforeAll(async () => {
    console.info(`kitchen-day test simulator seed ${SEED}`);
    sim = await startSimulator({ seed: SEED, properties: 1, rooms: 60, timezones: ["Europe/London"] });
    h = await startHarness();
    const p = sim.properties[0]!;
    ({ kitchenId } = await seedKitchenWithConnection(h.db.handle.db, {
      timezone: p.timezone,
      property: p,
      baseUrl: sim.baseUrl,
      encryptionKey: h.config.ENCRYPTION_KEY!,
      mealMapping: MEALS,
    }));
    const email = `chef-${kitchenId}@example.com`;
    await createUser(h.db.handle.db, {
      email,
      password: "kitchen-pass-1",
      role: "manager",
      kitchen_id: kitchenId,
    });
    token = await login(h.app, email, "kitchen-pass-1");
    today = localDateIn(p.timezone);
    await sync();
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    await h?.close();
  });

  const figures = async (date: string) =>
    (
      await h.db.handle.db
        .select()
        .from(dailyOccupancy)
        .where(and(eq(dailyOccupancy.kitchenId, kitchenId), eq(dailyOccupancy.date, date)))
    )[0]!;

  it("lists today's and tomorrow's arrivals by hour of ETA with the synced kitchen fields", async () => {
    const body = await getArrivals();
    expect(body.days.map((d) => d.date)).toEqual([today, addDays(today, 1)]);
    for (const day of body.days) {
      const daily = await figures(day.date);
      expect([day.date, day.bookings, day.guests]).toEqual([day.date, daily.arrivals, daily.arrivalGuests]);
      const hours = day.hours.map((x) => x.hour);
      const timed = hours.filter((x) => x !== null);
      expect(timed).toEqual([...timed].sort());
      if (hours.includes(null)) expect(hours[hours.length - 1]).toBeNull();
      expect(day.hours.reduce((n, x) => n + x.bookings, 0)).toBe(day.bookings);
      for (const hour of day.hours) {
        expect(hour.bookings).toBe(hour.arrivals.length);
        for (const row of hour.arrivals) {
          expect(row.eta === null ? null : row.eta.slice(0, 2)).toBe(hour.hour);
          const wire = await control<Wire>("GET", `/properties/p1/bookings/${row.booking_id}`);
          expect(row.eta).toBe(wire.booking_eta === null ? null : String(wire.booking_eta).slice(0, 5));
          expect(row.arrived).toBe(wire.booking_checkedin !== null);
          expect(row.group_name).toBe(wire.bookings_group_name ?? null);
          expect(row.vip).toBe(wire.guests.some((g) => g.vip_when !== null));
          expect(row.dietary.map((d) => d.requirement)).toEqual(
            wire.guests.flatMap((g) => g.dietary_requirements),
          );
        }
      }
    }
    expect(body.days[0]!.hours.length).toBeGreaterThan(1);
  });

  it("follows check-ins and ETA changes from the next sync", async () => {
    const before = await getArrivals();
    const waiting = before.days[0]!.hours.flatMap((x) => x.arrivals).find((r) => !r.arrived);
    expect(waiting).toBeDefined();
    await control("PATCH", `/properties/p1/bookings/${waiting!.booking_id}`, {
      status: "arrived",
      eta: "19:45",
    });
    await sync();
    const after = await getArrivals();
    const row = after.days[0]!.hours.find((x) => x.hour === "19")?.arrivals.find(
      (r) => r.booking_id === waiting!.booking_id,
    );
    expect(row).toMatchObject({ eta: "19:45", arrived: true });
    expect(after.days[0]!.arrived).toBe(before.days[0]!.arrived + 1);
  });

  it("builds tomorrow's breakfast and tonight's dinner sheets whose totals are the daily covers", async () => {
    const tomorrow = addDays(today, 1);
    const breakfast = await request(h.app).get("/api/sheets/breakfast").set(as());
    expect(breakfast.status).toBe(200);
    expect(breakfast.headers["cache-control"]).toBe("no-store");
    expect(breakfast.body.date).toBe(tomorrow);
    expect(breakfast.body.totals.covers).toBe((await figures(tomorrow)).breakfastCovers);
    expect(breakfast.body.totals.rooms).toBe(breakfast.body.rows.length);
    expect(breakfast.body.rows.length).toBeGreaterThan(0);
    const dinner = await request(h.app).get("/api/sheets/dinner").set(as());
    expect(dinner.body.date).toBe(today);
    expect(dinner.body.totals.covers).toBe((await figures(today)).dinnerCovers);

    const csv = await request(h.app).get("/api/sheets/breakfast/csv").set(as());
    expect(csv.status).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.headers["content-disposition"]).toContain(`breakfast-${tomorrow}.csv`);
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("room,names,adults,children,infants,dietary,vip,group,notes");
    expect(lines).toHaveLength(breakfast.body.rows.length + 2);
    expect(lines.slice(1, -1).map((l) => l.split(",")[0])).toEqual(
      breakfast.body.rows.map((r: { room: string }) => r.room),
    );
    expect(lines[lines.length - 1]).toContain(
      `TOTAL,${breakfast.body.totals.rooms} rooms,${breakfast.body.totals.adults}`,
    );
  });

  it("shows the chips on the residents view", async () => {
    const res = await request(h.app).get("/api/residents").set(as());
    expect(res.status).toBe(200);
    const stays = (
      res.body.rooms as { stays: { booking_id: string; dietary: unknown[]; group_name: string | null }[] }[]
    ).flatMap((r) => r.stays);
    expect(stays.some((s) => s.dietary.length > 0)).toBe(true);
    expect(stays.some((s) => s.group_name !== null)).toBe(true);
  });

  it("answers bad input with a 400 naming the field", async () => {
    const meal = await request(h.app).get("/api/sheets/lunch").set(as());
    expect(meal.status).toBe(400);
    expect(JSON.stringify(meal.body.error.details)).toContain("meal");
    const date = await request(h.app).get("/api/sheets/dinner/csv?date=2025-13-40").set(as());
    expect(date.status).toBe(400);
    expect(JSON.stringify(date.body.error.details)).toContain("date");
  });

  it("keeps guests' personal data to the kitchen's own users and admins, and out of the logs", async () => {
    const other = await addKitchenWithManager(h, "Other", "Europe/London");
    const theirs = await request(h.app).get("/api/arrivals").set(as(other.token));
    expect(theirs.status).toBe(200);
    expect(theirs.body.days.every((d: { bookings: number }) => d.bookings === 0)).toBe(true);
    const sneaky = await request(h.app)
      .get(`/api/sheets/breakfast?kitchen_id=${kitchenId}`)
      .set(as(other.token));
    expect(sneaky.status === 403 || (sneaky.status === 200 && sneaky.body.rows.length === 0)).toBe(true);
    expect((await request(h.app).get("/api/arrivals")).status).toBe(401);
    const admin = await addAdmin(h);
    const forAdmin = await request(h.app)
      .get(`/api/sheets/breakfast?kitchen_id=${kitchenId}`)
      .set(as(admin.token));
    expect(forAdmin.status).toBe(200);
    expect(forAdmin.body.rows.length).toBeGreaterThan(0);

    const sheet = (await request(h.app).get("/api/sheets/breakfast").set(as())).body as {
      rows: { names: string[]; dietary: { requirement: string }[]; notes: string[] }[];
    };
    const personal = sheet.rows.flatMap((r) => [...r.names, ...r.notes]).filter((x) => x.length > 3);
    expect(personal.length).toBeGreaterThan(0);
    const logs = h.logs.text();
    expect(logs.length).toBeGreaterThan(0);
    expect(personal.filter((x) => logs.includes(x))).toEqual([]);
  });
});
