import { addDays, daysBetween } from "./dates";
import { FUTURE_DAYS, generateProperty, HISTORY_DAYS } from "./generator";
import { inventoryItems, nights } from "./pricing";
import { BLOCKING_STATUSES, OCCUPYING_STATUSES, type PropertyData } from "./types";

const TODAY = "2025-06-15";
const gen = (rooms: number, seed = 1, index = 0): PropertyData =>
  generateProperty({ seed, index, rooms, timezone: "Europe/London", today: TODAY, todayPinned: true });

describe("generateProperty", () => {
  const p = gen(60);

  it("is deterministic for a seed and differs across seeds and properties", () => {
    // Compared as JSON: a deep toEqual over thousands of bookings is slow.
    expect(JSON.stringify(gen(60))).toBe(JSON.stringify(p));
    expect(JSON.stringify(gen(60, 2).bookings)).not.toBe(JSON.stringify(p.bookings));
    const other = gen(60, 1, 1);
    expect(other.username).not.toBe(p.username);
    expect(other.apiKey).not.toBe(p.apiKey);
  });

  it("builds the room inventory, categories and GL accounts", () => {
    expect(p.sites).toHaveLength(60);
    expect(new Set(p.sites.map((s) => s.name)).size).toBe(60);
    const perCategory = p.categories.map((c) => p.sites.filter((s) => s.categoryId === c.id).length);
    expect(perCategory.reduce((a, b) => a + b, 0)).toBe(60);
    expect(perCategory.every((n) => n > 0)).toBe(true);
    const roles = p.glAccounts.map((g) => g.role);
    expect(roles).toEqual(expect.arrayContaining(["accommodation", "breakfast", "dinner", "bar"]));
    expect(gen(10).sites).toHaveLength(10);
  });

  /** Room-nights claimed twice (or claimed during maintenance); checked with a flat grid to stay fast. */
  function doubleBooked(q: PropertyData): string[] {
    const start = addDays(TODAY, -(HISTORY_DAYS + 30));
    const span = HISTORY_DAYS + FUTURE_DAYS + 60;
    const grid = new Uint8Array(q.sites.length * span);
    const problems: string[] = [];
    const claim = (siteId: number, date: string, what: string) => {
      const cell = (siteId - 1) * span + daysBetween(start, date);
      if (grid[cell]) problems.push(`${what}: site ${siteId} on ${date}`);
      grid[cell] = 1;
    };
    for (const s of q.sites)
      for (const m of s.maintenance)
        for (let d = m.from; d <= m.to; d = addDays(d, 1)) claim(s.id, d, "maintenance");
    for (const b of q.bookings) {
      if (b.siteId === null || !BLOCKING_STATUSES.has(b.status)) continue;
      const first = (b.siteId - 1) * span + daysBetween(start, b.arrivalDate);
      const n = daysBetween(b.arrivalDate, b.departureDate);
      for (let cell = first; cell < first + n; cell++) {
        if (grid[cell]) problems.push(`booking ${b.id}: site ${b.siteId} night ${cell - first}`);
        grid[cell] = 1;
      }
    }
    return problems;
  }

  it("never puts two blocking bookings in one room on one night, nor into maintenance", () => {
    expect(doubleBooked(p)).toEqual([]);
  });

  it("produces a realistic book", () => {
    const lengths = p.bookings.map((b) => daysBetween(b.arrivalDate, b.departureDate));
    expect(Math.min(...lengths)).toBe(1);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(14);
    const arrivals = p.bookings.map((b) => b.arrivalDate).sort();
    expect(arrivals[0]! >= addDays(TODAY, -(HISTORY_DAYS + 14))).toBe(true);
    expect(arrivals[arrivals.length - 1]! <= addDays(TODAY, FUTURE_DAYS)).toBe(true);

    const byStatus = (s: string) => p.bookings.filter((b) => b.status === s).length;
    for (const s of ["confirmed", "unconfirmed", "arrived", "departed", "cancelled", "no_show"]) {
      expect(byStatus(s)).toBeGreaterThan(0);
    }
    expect(p.bookings.filter((b) => b.status === "cancelled").every((b) => b.cancelled !== null)).toBe(true);
    expect(p.bookings.filter((b) => b.status !== "cancelled").every((b) => b.cancelled === null)).toBe(true);
    expect(p.bookings.every((b) => b.placed.slice(0, 10) < TODAY && b.modified >= b.placed)).toBe(true);
    // Statuses follow the calendar.
    const offCalendar = p.bookings.filter(
      (b) =>
        (b.status === "departed" && b.departureDate > TODAY) ||
        (b.status === "arrived" && (b.arrivalDate > TODAY || b.departureDate < TODAY)) ||
        (b.status === "confirmed" && b.departureDate <= TODAY),
    );
    expect(offCalendar).toEqual([]);

    const groups = new Map<number, number>();
    for (const b of p.bookings)
      if (b.groupId !== null) groups.set(b.groupId, (groups.get(b.groupId) ?? 0) + 1);
    expect(groups.size).toBeGreaterThan(0);
    expect([...groups.values()].every((n) => n >= 2)).toBe(true);

    expect(p.bookings.some((b) => b.siteId === null)).toBe(true);
    expect(p.bookings.some((b) => b.children > 0)).toBe(true);
    expect(p.bookings.some((b) => b.infants > 0)).toBe(true);
    const bb = p.bookings.find((b) => b.meals === "bb")!;
    const dbb = p.bookings.find((b) => b.meals === "dbb")!;
    expect(inventoryItems(bb, p).filter((i) => i.description === "Breakfast")).toHaveLength(
      nights(bb).length,
    );
    expect(inventoryItems(dbb, p).filter((i) => i.description === "Dinner")).toHaveLength(nights(dbb).length);

    // Sold nights near today sit in the 55-95% band.
    const soldTonight = p.bookings.filter(
      (b) => OCCUPYING_STATUSES.has(b.status) && b.arrivalDate <= TODAY && b.departureDate > TODAY,
    ).length;
    expect(soldTonight / 60).toBeGreaterThan(0.5);
    expect(soldTonight / 60).toBeLessThanOrEqual(1);
  });

  it("keeps bookings sorted by id (stable paging order)", () => {
    const ids = p.bookings.map((b) => b.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("generates a 1000-room hotel quickly and without double-booking", () => {
    const cpu = process.cpuUsage();
    const big = gen(1000);
    // CPU time, not wall time (~0.5 s idle). The process's CPU includes GC threads and runs slower on a
    // contended machine (3.1 s seen at load 20), so the bound catches an order-of-magnitude regression only.
    const { user, system } = process.cpuUsage(cpu);
    expect((user + system) / 1000).toBeLessThan(8000);
    expect(big.bookings.length).toBeGreaterThan(40_000);
    expect(doubleBooked(big)).toEqual([]);
    // The bound is on CPU time above; wall time on a shared machine may be several times longer.
  }, 30_000);
});
