import { frequentWindow } from "./window";

describe("frequentWindow", () => {
  it("takes today in the kitchen's zone: Auckland is already tomorrow when UTC is still today", () => {
    expect(frequentWindow("Pacific/Auckland", 7, new Date("2025-03-10T22:00:00Z"))).toEqual({
      today: "2025-03-11",
      from: "2025-03-11",
      to: "2025-03-18",
      fetchFrom: "2025-03-10",
    });
  });

  it("is behind UTC west of Greenwich", () => {
    expect(frequentWindow("Pacific/Honolulu", 1, new Date("2025-03-11T05:00:00Z"))).toEqual({
      today: "2025-03-10",
      from: "2025-03-10",
      to: "2025-03-11",
      fetchFrom: "2025-03-09",
    });
  });

  it("handles the Europe/London clock changes", () => {
    // Spring forward (30 March 2025, 01:00 GMT): 00:30 UTC is still 00:30 local on the 30th.
    expect(frequentWindow("Europe/London", 7, new Date("2025-03-30T00:30:00Z")).today).toBe("2025-03-30");
    expect(frequentWindow("Europe/London", 7, new Date("2025-03-29T23:59:00Z")).today).toBe("2025-03-29");
    // In summer time 23:30 UTC is already the next day in London.
    const autumn = frequentWindow("Europe/London", 7, new Date("2025-10-25T23:30:00Z"));
    expect(autumn).toEqual({
      today: "2025-10-26",
      from: "2025-10-26",
      to: "2025-11-02",
      fetchFrom: "2025-10-25",
    });
    // After falling back (26 October 2025) London is on UTC again.
    expect(frequentWindow("Europe/London", 7, new Date("2025-10-26T23:30:00Z")).today).toBe("2025-10-26");
  });

  it("spans days_ahead + 1 dates across a month end", () => {
    const w = frequentWindow("UTC", 30, new Date("2025-02-10T12:00:00Z"));
    expect([w.from, w.to, w.fetchFrom]).toEqual(["2025-02-10", "2025-03-12", "2025-02-09"]);
  });
});
