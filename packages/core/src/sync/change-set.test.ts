import { computeChangeSet } from "./change-set";
import { describeChangeSet, kitchenDay } from "./change-summary";
import type { StayBooking } from "./derive";

const mealMapping = { breakfastGlAccountIds: [], dinnerGlAccountIds: [] };
const FROM = "2025-06-02";
const TO = "2025-06-09";

function stay(id: string, extra: Partial<StayBooking> = {}): StayBooking {
  return {
    bookingId: id,
    groupId: null,
    status: "confirmed",
    arrivalDate: "2025-06-03",
    departureDate: "2025-06-05",
    adults: 2,
    children: 0,
    infants: 0,
    siteId: "s104",
    siteName: "104",
    guestName: "Ada Lovelace",
    items: [],
    ...extra,
  };
}

const breakfast = (nights: string[]) =>
  nights.map((stayDate) => ({ stayDate, glAccountId: null, name: "Breakfast" }));
const input = (
  stored: StayBooking[],
  fetched: StayBooking[],
  covered = { from: "2025-06-01", to: "2025-06-08" },
) => ({
  from: FROM,
  to: TO,
  stored,
  fetched,
  covered,
  mealMapping,
});

describe("computeChangeSet", () => {
  it("has no change set for the first sync", () => {
    expect(computeChangeSet({ ...input([], [stay("1")]), covered: null })).toEqual([]);
  });

  it("records a new booking in the covered window as added, with its effect per date", () => {
    const [change] = computeChangeSet(input([], [stay("1", { items: breakfast(["2025-06-03"]) })]));
    expect(change).toMatchObject({ kind: "added", room: "104", guestName: "Ada Lovelace", before: null });
    expect(change?.after).toMatchObject({ arrival: "2025-06-03", mealPlan: "breakfast" });
    expect(change?.deltas).toEqual([
      { date: "2025-06-03", arrivals: 1, guests: 2, breakfastCovers: 0, dinnerCovers: 0 },
      { date: "2025-06-04", arrivals: 0, guests: 2, breakfastCovers: 2, dinnerCovers: 0 },
    ]);
  });

  it("does not call a booking new when it only came into view (a new last day of the window)", () => {
    const late = stay("1", { arrivalDate: "2025-06-09", departureDate: "2025-06-11" });
    expect(computeChangeSet(input([], [late]))).toEqual([]);
  });

  it("records a cancellation by status and by disappearance, keeping room and guest", () => {
    const byStatus = computeChangeSet(input([stay("1")], [stay("1", { status: "cancelled" })]));
    expect(byStatus).toMatchObject([
      { kind: "cancelled", room: "104", guestName: "Ada Lovelace", after: null },
    ]);
    const gone = computeChangeSet(input([stay("2")], []));
    expect(gone).toMatchObject([{ kind: "cancelled", bookingId: "2" }]);
    expect(gone[0]?.deltas[0]).toMatchObject({ date: "2025-06-03", arrivals: -1, guests: -2 });
  });

  it("names what changed: dates, room, guests, meal plan; a name's spelling is no change", () => {
    const before = stay("1");
    const after = stay("1", {
      departureDate: "2025-06-06",
      siteName: "212",
      siteId: "s212",
      children: 1,
      items: breakfast(["2025-06-03"]),
    });
    expect(computeChangeSet(input([before], [after]))).toMatchObject([
      { kind: "changed", room: "212", fields: ["dates", "room", "guests", "meal_plan"] },
    ]);
    expect(computeChangeSet(input([before], [stay("1", { guestName: "Ada King" })]))).toEqual([]);
  });

  it("counts a reinstated booking as added", () => {
    const change = computeChangeSet(input([stay("1", { status: "cancelled" })], [stay("1")]));
    expect(change).toMatchObject([{ kind: "added", before: null }]);
  });
});

describe("describeChangeSet", () => {
  const today = "2025-06-02"; // a Monday
  it("speaks in kitchen terms, per date and figure, arrivals with their rooms", () => {
    const changes = [
      ...computeChangeSet(
        input(
          [
            stay("9", {
              arrivalDate: "2025-06-06",
              departureDate: "2025-06-07",
              items: [{ stayDate: "2025-06-06", glAccountId: null, name: "Dinner" }],
              adults: 3,
            }),
          ],
          [
            stay("1", { arrivalDate: today, departureDate: "2025-06-03", siteName: "104" }),
            stay("2", { arrivalDate: today, departureDate: "2025-06-03", siteName: "212" }),
          ],
        ),
      ),
    ];
    expect(describeChangeSet(changes, today)).toEqual([
      "+2 arrivals tonight, rooms 104 and 212",
      "−1 arrival Fri, room 104",
      "−3 dinner covers Fri",
    ]);
  });

  it("reports room moves, and says so when covers did not move", () => {
    const moved = computeChangeSet(input([stay("1")], [stay("1", { siteName: "105", siteId: "s105" })]));
    expect(describeChangeSet(moved, today)).toEqual(["Ada Lovelace moved from room 104 to 105"]);
    const infants = computeChangeSet(input([stay("1")], [stay("1", { infants: 1 })]));
    expect(describeChangeSet(infants, today)).toEqual(["1 booking updated; covers unchanged"]);
  });

  it("names days as a chef does", () => {
    expect(kitchenDay(today, today, true)).toBe("tonight");
    expect(kitchenDay(today, today)).toBe("today");
    expect(kitchenDay("2025-06-03", today)).toBe("tomorrow");
    expect(kitchenDay("2025-06-06", today)).toBe("Fri");
    expect(kitchenDay("2025-06-13", today)).toBe("Fri 13 Jun");
  });
});
