import { alerts, dailyOccupancy, type RoomNight } from "@occ/db";
import { eq } from "drizzle-orm";
import request from "supertest";
import { addKitchenWithManager, type Harness, startHarness, type TestKitchen } from "../testing/harness";

// 13:30 UTC on 1 June is already 2 June in Auckland (UTC+12).
const NOW = new Date("2025-06-01T13:30:00Z");

function night(
  room: string,
  bookingId: string,
  arrival: string,
  departure: string,
  extra: Partial<RoomNight> = {},
): RoomNight {
  return {
    room,
    siteId: `s${room}`,
    bookingId,
    groupId: null,
    guestName: `Guest ${bookingId}`,
    adults: 2,
    children: 0,
    infants: 0,
    arrival,
    departure,
    hasBreakfast: true,
    isDbb: false,
    ...extra,
  };
}

describe("data endpoints", () => {
  let h: Harness;
  let k: TestKitchen;
  const as = () => ({ Authorization: `Bearer ${k.token}` });

  beforeAll(async () => {
    h = await startHarness({ now: () => NOW });
    k = await addKitchenWithManager(h, "Auckland", "Pacific/Auckland");
    const stayA = night("10", "A1", "2025-06-01", "2025-06-04");
    const stayB = night("2", "B7", "2025-06-03", "2025-06-05", { isDbb: true, children: 1, groupId: "G1" });
    const rows = [
      { date: "2025-06-01", nights: [stayA] },
      { date: "2025-06-02", nights: [stayA] },
      { date: "2025-06-03", nights: [stayA, stayB] },
      { date: "2025-06-04", nights: [stayB] },
    ];
    await h.db.handle.db.insert(dailyOccupancy).values(
      rows.map(({ date, nights }) => ({
        kitchenId: k.id,
        date,
        roomsAvailable: 20,
        roomsOccupied: nights.length,
        adults: nights.length * 2,
        children: date === "2025-06-03" || date === "2025-06-04" ? 1 : 0,
        infants: 0,
        arrivals: 1,
        arrivalGuests: 2,
        departures: 0,
        departureGuests: 0,
        breakfastCovers: 2,
        dinnerCovers: 0,
        roomBreakdown: nights,
        previousFigures:
          date === "2025-06-03"
            ? {
                roomsAvailable: 20,
                roomsOccupied: 1,
                adults: 2,
                children: 0,
                infants: 0,
                arrivals: 0,
                arrivalGuests: 0,
                departures: 0,
                departureGuests: 0,
                breakfastCovers: 2,
                dinnerCovers: 0,
              }
            : null,
        changedAt: date === "2025-06-03" ? new Date("2025-06-01T12:00:00Z") : null,
        fetchedAt: new Date("2025-06-01T13:00:00Z"),
      })),
    );
  });
  afterAll(() => h.close());

  describe("GET /api/occupancy", () => {
    it("defaults to the kitchen's today .. today + 7", async () => {
      const res = await request(h.app).get("/api/occupancy").set(as());
      expect(res.status).toBe(200);
      expect(res.body.timezone).toBe("Pacific/Auckland");
      expect(res.body.today).toBe("2025-06-02");
      expect(res.body.days.map((d: { date: string }) => d.date)).toEqual([
        "2025-06-02",
        "2025-06-03",
        "2025-06-04",
      ]);
      const changed = res.body.days[1];
      expect(changed).toEqual({
        date: "2025-06-03",
        rooms_available: 20,
        rooms_occupied: 2,
        adults: 4,
        children: 1,
        infants: 0,
        guests: 5,
        arrivals: 1,
        arrival_guests: 2,
        departures: 0,
        departure_guests: 0,
        breakfast_covers: 2,
        dinner_covers: 0,
        is_forecast: true,
        fetched_at: "2025-06-01T13:00:00.000Z",
        changed_at: "2025-06-01T12:00:00.000Z",
        previous: expect.objectContaining({ rooms_occupied: 1, guests: 2, adults: 2 }),
      });
    });

    it("marks past days as actuals", async () => {
      const res = await request(h.app).get("/api/occupancy?from=2025-05-30&to=2025-06-02").set(as());
      expect(
        res.body.days.map((d: { date: string; is_forecast: boolean }) => [d.date, d.is_forecast]),
      ).toEqual([
        ["2025-06-01", false],
        ["2025-06-02", true],
      ]);
    });

    it.each([
      ["from=2025-13-01", "from"],
      ["to=tomorrow", "to"],
      ["from=2025-06-10&to=2025-06-01", "to"],
      ["from=2024-01-01&to=2025-06-01", "to"],
    ])("rejects ?%s", async (query, field) => {
      const res = await request(h.app).get(`/api/occupancy?${query}`).set(as());
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe(field);
    });
  });

  describe("GET /api/residents", () => {
    it("builds rooms x 7 nights from the room breakdown", async () => {
      const res = await request(h.app).get("/api/residents?start=2025-06-01").set(as());
      expect(res.status).toBe(200);
      expect(res.body.start).toBe("2025-06-01");
      expect(res.body.end).toBe("2025-06-07");
      expect(res.body.dates).toHaveLength(7);
      expect(res.body.rooms).toEqual([
        {
          room: "2",
          stays: [
            {
              booking_id: "B7",
              group_id: "G1",
              guest_name: "Guest B7",
              arrival: "2025-06-03",
              departure: "2025-06-05",
              adults: 2,
              children: 1,
              infants: 0,
              has_breakfast: true,
              is_dbb: true,
              nights: ["2025-06-03", "2025-06-04"],
              change: null,
              changed_fields: [],
              change_at: null,
              dietary: [],
              group_name: null,
              notes: [],
              vip: false,
            },
          ],
        },
        {
          room: "10",
          stays: [
            expect.objectContaining({ booking_id: "A1", nights: ["2025-06-01", "2025-06-02", "2025-06-03"] }),
          ],
        },
      ]);
    });

    it("defaults to the kitchen's today and validates start", async () => {
      const res = await request(h.app).get("/api/residents").set(as());
      expect(res.body.start).toBe("2025-06-02");
      const bad = await request(h.app).get("/api/residents?start=02/06/2025").set(as());
      expect(bad.status).toBe(400);
    });
  });

  describe("GET /api/alerts", () => {
    beforeAll(async () => {
      await h.db.handle.db.insert(alerts).values([
        {
          kitchenId: k.id,
          kind: "consecutive_failures",
          severity: "critical",
          message: "5 failures",
          openedAt: NOW,
        },
        {
          kitchenId: k.id,
          kind: "stale",
          severity: "warning",
          state: "resolved",
          message: "stale",
          openedAt: new Date("2025-05-01T00:00:00Z"),
          resolvedAt: new Date("2025-05-01T01:00:00Z"),
        },
      ]);
    });

    it("lists open alerts by default, all on request", async () => {
      const open = await request(h.app).get("/api/alerts").set(as());
      expect(open.body.alerts).toEqual([
        {
          id: expect.any(Number),
          kind: "consecutive_failures",
          severity: "critical",
          state: "open",
          message: "5 failures",
          opened_at: NOW.toISOString(),
          resolved_at: null,
          action: null,
          times: [],
        },
      ]);
      const all = await request(h.app).get("/api/alerts?state=all").set(as());
      expect(all.body.alerts).toHaveLength(2);
      const bad = await request(h.app).get("/api/alerts?state=closed").set(as());
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/one of: open, all/);
    });

    it("links an action-needed alert to Settings and gives its times on the kitchen's clock", async () => {
      const [row] = await h.db.handle.db
        .insert(alerts)
        .values({
          kitchenId: k.id,
          kind: "credentials_rejected",
          severity: "critical",
          message:
            "Newbook rejected the login (1 failed sync, no successful sync since 18:06). Retrying at 18:46.",
          // As the worker stores them: instants in JSON, next to the code that tells who acts.
          details: {
            error_code: "newbook_auth",
            action: "settings",
            last_success_at: "2025-06-01T06:06:00.000Z",
            next_sync_at: "2025-06-01T06:46:00.000Z",
          },
          openedAt: new Date(NOW.getTime() + 1000),
        })
        .returning();
      const res = await request(h.app).get("/api/alerts").set(as());
      expect(res.status).toBe(200);
      expect(res.body.alerts[0]).toMatchObject({
        id: row!.id,
        action: "settings",
        // Auckland is UTC+12 in June.
        times: [
          { at: "2025-06-01T06:06:00.000Z", clock: "18:06" },
          { at: "2025-06-01T06:46:00.000Z", clock: "18:46" },
        ],
      });
      await h.db.handle.db.delete(alerts).where(eq(alerts.id, row!.id));
    });
  });
});
