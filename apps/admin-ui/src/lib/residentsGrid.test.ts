import { guestSummary, staySpan } from "./residentsGrid";

const week = [
  "2025-11-24",
  "2025-11-25",
  "2025-11-26",
  "2025-11-27",
  "2025-11-28",
  "2025-11-29",
  "2025-11-30",
];

describe("staySpan", () => {
  it("spans the nights from arrival to the night before departure", () => {
    expect(staySpan(week, "2025-11-25", "2025-11-28")).toEqual({
      startColumn: 1,
      span: 3,
      continuesBefore: false,
      continuesAfter: false,
    });
  });

  it("clips a stay that started before the week", () => {
    expect(staySpan(week, "2025-11-20", "2025-11-26")).toEqual({
      startColumn: 0,
      span: 2,
      continuesBefore: true,
      continuesAfter: false,
    });
  });

  it("clips a stay that continues after the week", () => {
    expect(staySpan(week, "2025-11-29", "2025-12-04")).toEqual({
      startColumn: 5,
      span: 2,
      continuesBefore: false,
      continuesAfter: true,
    });
  });

  it("a stay ending the morning after the last night does not continue", () => {
    expect(staySpan(week, "2025-11-30", "2025-12-01")?.continuesAfter).toBe(false);
  });

  it("ignores stays outside the week", () => {
    expect(staySpan(week, "2025-11-20", "2025-11-24")).toBeNull();
    expect(staySpan(week, "2025-12-01", "2025-12-03")).toBeNull();
    expect(staySpan([], "2025-11-24", "2025-11-25")).toBeNull();
  });
});

describe("guestSummary", () => {
  it("lists adults always and children/infants when present", () => {
    expect(guestSummary(2, 0, 0)).toBe("2A");
    expect(guestSummary(2, 1, 1)).toBe("2A 1C 1I");
  });
});
