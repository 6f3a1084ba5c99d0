import { addDays, dateRange, daysBetween, isLocalDate, isValidTimeZone, localDateIn } from "./time";

describe("time", () => {
  it("computes today in the kitchen's zone, not the server's", () => {
    const instant = new Date("2026-11-24T11:30:00Z");
    expect(localDateIn("Pacific/Auckland", instant)).toBe("2026-11-25");
    expect(localDateIn("America/Los_Angeles", instant)).toBe("2026-11-24");
    expect(localDateIn("Pacific/Honolulu", new Date("2026-11-24T05:00:00Z"))).toBe("2026-11-23");
  });

  it("does calendar arithmetic across DST and month ends", () => {
    expect(addDays("2026-03-28", 1)).toBe("2026-03-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2026-10-24", "2026-10-26")).toBe(2);
    expect(dateRange("2026-02-27", "2026-03-01")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01"]);
  });

  it("validates dates and zones", () => {
    expect(isLocalDate("2026-02-30")).toBe(false);
    expect(isLocalDate("2026-02-28")).toBe(true);
    expect(isValidTimeZone("Europe/London")).toBe(true);
    expect(isValidTimeZone("Mars/Base")).toBe(false);
  });
});
