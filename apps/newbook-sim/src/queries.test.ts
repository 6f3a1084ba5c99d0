import { generateProperty } from "./generator";
import { earnedRevenue, listBookings, matches, occupancyReport } from "./queries";
import type { Booking, PropertyData } from "./types";

const base = (): PropertyData =>
  generateProperty({
    seed: 1,
    index: 0,
    rooms: 10,
    timezone: "Europe/London",
    today: "2025-06-15",
    todayPinned: true,
  });

let nextId = 1;
function booking(over: Partial<Booking>): Booking {
  return {
    id: nextId++,
    reference: "R",
    groupId: null,
    placed: "2025-05-01 10:00:00",
    cancelled: null,
    modified: "2025-05-01 10:00:00",
    arrivalDate: "2025-07-01",
    departureDate: "2025-07-03",
    eta: "15:00:00",
    checkedIn: null,
    status: "confirmed",
    adults: 2,
    children: 0,
    infants: 0,
    categoryId: 1,
    siteId: 1,
    meals: "none",
    rate: 100,
    tariffName: "Room Only",
    parking: false,
    guestSeed: 1,
    ...over,
  };
}

describe("list_type selection", () => {
  const p = base();
  const stay = booking({}); // 2025-07-01 14:00 -> 2025-07-03 10:00

  it("staying is strict at both ends", () => {
    const period = (from: string, to: string) => ({ from, to });
    expect(matches(stay, p, "staying", period("2025-07-03 10:00:00", "2025-07-05 00:00:00"))).toBe(false);
    expect(matches(stay, p, "staying", period("2025-07-03 09:59:59", "2025-07-05 00:00:00"))).toBe(true);
    expect(matches(stay, p, "staying", period("2025-06-20 00:00:00", "2025-07-01 14:00:00"))).toBe(false);
    expect(matches(stay, p, "staying", period("2025-06-20 00:00:00", "2025-07-01 14:00:01"))).toBe(true);
    // Dates are midnight: a stay arriving on period_to's date is outside, one leaving on period_from's date inside.
    expect(matches(stay, p, "staying", period("2025-06-25 00:00:00", "2025-07-01 00:00:00"))).toBe(false);
    expect(matches(stay, p, "staying", period("2025-07-03 00:00:00", "2025-07-04 00:00:00"))).toBe(true);
  });

  it("staying excludes cancelled, no-show, quote, waitlist and owner-occupied; includes arrived/departed", () => {
    const period = { from: "2025-07-01 00:00:00", to: "2025-07-04 00:00:00" };
    for (const status of ["cancelled", "no_show", "quote", "waitlist", "owner_occupied"] as const) {
      expect(matches(booking({ status }), p, "staying", period)).toBe(false);
    }
    for (const status of ["arrived", "departed", "unconfirmed"] as const) {
      expect(matches(booking({ status }), p, "staying", period)).toBe(true);
    }
  });

  it("event list types select by the right timestamp", () => {
    const day = (d: string) => ({ from: `${d} 00:00:00`, to: `${d} 23:59:59` });
    const arrived = booking({ status: "arrived" });
    expect(matches(stay, p, "arriving", day("2025-07-01"))).toBe(true);
    expect(matches(stay, p, "arriving", day("2025-07-01"), true)).toBe(true);
    expect(matches(arrived, p, "arriving", day("2025-07-01"), true)).toBe(false);
    expect(matches(arrived, p, "arrived", day("2025-07-01"))).toBe(true);
    expect(matches(stay, p, "arrived", day("2025-07-01"))).toBe(false);
    expect(matches(stay, p, "departing", day("2025-07-03"))).toBe(true);
    expect(matches(booking({ status: "departed" }), p, "departed", day("2025-07-03"))).toBe(true);
    expect(matches(stay, p, "placed", day("2025-05-01"))).toBe(true);
    const cancelled = booking({
      status: "cancelled",
      cancelled: "2025-05-20 09:00:00",
      modified: "2025-05-20 09:00:00",
    });
    expect(matches(cancelled, p, "cancelled", day("2025-05-20"))).toBe(true);
    expect(matches(cancelled, p, "all", day("2025-05-20"))).toBe(true);
    expect(matches(cancelled, p, "all", day("2025-05-21"))).toBe(false);
    expect(matches(booking({ status: "no_show" }), p, "no_show", day("2025-07-01"))).toBe(true);
  });

  it("pages in id order with the limit clamped to 1000", () => {
    const q = base();
    q.bookings = Array.from({ length: 1205 }, (_, i) => booking({ id: 10_000 + i, siteId: null }));
    const period = { from: "2025-07-01 00:00:00", to: "2025-07-02 00:00:00" };
    const first = listBookings(q, "staying", period, 0, 5000);
    expect(first.total).toBe(1205);
    expect(first.rows).toHaveLength(1000);
    const last = listBookings(q, "staying", period, 1000, 1000);
    expect(last.rows.map((b) => b.id)[0]).toBe(11_000);
    expect(last.rows).toHaveLength(205);
    expect(listBookings(q, "staying", period, 2000, 100).rows).toEqual([]);
  });
});

describe("reports", () => {
  const p = base();
  p.bookings = [
    booking({ meals: "dbb", adults: 2, children: 1 }),
    booking({ siteId: 2, arrivalDate: "2025-07-02", departureDate: "2025-07-04" }),
    booking({ siteId: 3, status: "cancelled", cancelled: "2025-06-01 10:00:00" }),
  ];

  it("occupancy counts nights per category and date", () => {
    const [cat] = occupancyReport(p, "2025-07-01", "2025-07-03");
    const rooms = p.sites.filter((s) => s.categoryId === 1).length;
    expect(cat!.days.map((d) => d.occupied)).toEqual([1, 2, 1]);
    expect(cat!.days.every((d) => d.available + d.maintenance === rooms)).toBe(true);
    expect(cat!.days[0]!.revenueGross).toBeGreaterThan(0);
    expect(cat!.days[0]!.revenueNet).toBeLessThan(cat!.days[0]!.revenueGross);
  });

  it("earned revenue splits tariffs and items by GL account, optionally per day", () => {
    const totals = earnedRevenue(p, "2025-07-01", "2025-07-01", false);
    const byName = Object.fromEntries(totals.map((r) => [r.glAccountDescription, r.gross]));
    expect(byName.Breakfast).toBe(2 * 18.5 + 9.25);
    expect(byName.Dinner).toBe(2 * 35 + 17.5);
    expect(byName.Accommodation).toBeGreaterThan(0);
    const daily = earnedRevenue(p, "2025-07-01", "2025-07-03", true);
    expect(new Set(daily.map((r) => r.period))).toEqual(new Set(["2025-07-01", "2025-07-02", "2025-07-03"]));
    for (const r of daily) expect(r.gross).toBeCloseTo(r.net + r.tax, 2);
  });
});
