import { addDays, daysBetween, eachDate, localDateTime, parseInputDateTime } from "./dates";

describe("dates", () => {
  it("accepts the three documented input forms; a bare date is local midnight", () => {
    expect(parseInputDateTime("2025-03-01")).toBe("2025-03-01 00:00:00");
    expect(parseInputDateTime("2025-03-01 13:45:10")).toBe("2025-03-01 13:45:10");
    expect(parseInputDateTime("2025-03-01T13:45:10")).toBe("2025-03-01 13:45:10");
    expect(parseInputDateTime("2025-03-01T13:45")).toBe("2025-03-01 13:45:00");
  });

  it("rejects malformed and impossible values", () => {
    for (const bad of ["", "2025-02-30", "01/03/2025", "2025-03-01 25:00:00", 20250301, null]) {
      expect(parseInputDateTime(bad)).toBeNull();
    }
  });

  it("does calendar arithmetic across month, year and DST boundaries", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(addDays("2025-03-30", 1)).toBe("2025-03-31");
    expect(daysBetween("2025-01-01", "2026-01-01")).toBe(365);
    expect(eachDate("2025-01-30", "2025-02-02")).toEqual([
      "2025-01-30",
      "2025-01-31",
      "2025-02-01",
      "2025-02-02",
    ]);
  });

  it("reads the wall clock of a zone", () => {
    const instant = Date.UTC(2025, 0, 1, 12, 0, 0);
    expect(localDateTime("Pacific/Auckland", instant)).toEqual({ date: "2025-01-02", time: "01:00:00" });
    expect(localDateTime("America/New_York", instant)).toEqual({ date: "2025-01-01", time: "07:00:00" });
  });
});
