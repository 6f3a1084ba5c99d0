import {
  addDays,
  formatAge,
  formatClock,
  formatDateTime,
  formatDuration,
  formatLocalDate,
  formatRelative,
  todayIn,
} from "./time";

const now = new Date("2025-11-24T12:00:00Z");
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();

describe("formatRelative", () => {
  it.each([
    [10_000, "just now"],
    [60_000, "1 min ago"],
    [3 * 60_000 + 59_000, "3 min ago"],
    [59 * 60_000, "59 min ago"],
    [60 * 60_000, "1 hour ago"],
    [5 * 3_600_000, "5 hours ago"],
    [26 * 3_600_000, "1 day ago"],
    [3 * 86_400_000, "3 days ago"],
  ])("%i ms ago -> %s", (ms, expected) => {
    expect(formatRelative(ago(ms), now)).toBe(expected);
  });

  it("speaks of the future for upcoming times", () => {
    expect(formatRelative(ago(-5 * 60_000), now)).toBe("in 5 min");
    expect(formatRelative(ago(-20_000), now)).toBe("in less than a minute");
  });
});

describe("formatAge", () => {
  it.each([
    [-3_000, "just now"],
    [400, "just now"],
    [1_000, "1 s ago"],
    [3_900, "3 s ago"],
    [59_999, "59 s ago"],
    [60_000, "1 min ago"],
    [2 * 3_600_000, "2 hours ago"],
  ])("%i ms ago -> %s", (ms, expected) => {
    expect(formatAge(ago(ms), now)).toBe(expected);
  });
});

describe("zoned formatting", () => {
  it("shows the wall clock of the kitchen, not of the browser", () => {
    expect(formatClock("2025-11-24T12:00:00Z", "Australia/Sydney")).toBe("23:00");
    expect(formatClock("2025-11-24T12:00:00Z", "America/New_York")).toBe("07:00");
    expect(formatClock("2025-11-24T12:51:04Z", "Europe/Paris", { seconds: true })).toBe("13:51:04");
    expect(formatDateTime("2025-11-24T23:30:05Z", "Australia/Sydney")).toBe("25 Nov 2025, 10:30:05");
  });

  it("computes today in the kitchen's zone", () => {
    const lateUtc = new Date("2025-11-24T20:00:00Z");
    expect(todayIn("Australia/Sydney", lateUtc)).toBe("2025-11-25");
    expect(todayIn("Europe/London", lateUtc)).toBe("2025-11-24");
  });
});

describe("dates and durations", () => {
  it("adds days across month and year ends", () => {
    expect(addDays("2025-12-30", 3)).toBe("2026-01-02");
    expect(addDays("2025-03-01", -1)).toBe("2025-02-28");
  });

  it("formats a local date without shifting it", () => {
    expect(formatLocalDate("2025-11-24")).toBe("Mon 24 Nov");
  });

  it.each([
    [850, "850 ms"],
    [12_340, "12.3 s"],
    [95_000, "1 min 35 s"],
  ])("%i ms -> %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
