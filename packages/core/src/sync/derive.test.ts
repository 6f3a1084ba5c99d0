import type { BookingItem } from "../newbook/types";
import { dateRange } from "../time";
import { type DailyFigures, deriveDailyFigures, type StayBooking } from "./derive";
import type { MealMapping } from "./meals";

const NAME_MEALS: MealMapping = { breakfastGlAccountIds: [], dinnerGlAccountIds: [] };
const DATES = dateRange("2025-03-10", "2025-03-13");

function booking(overrides: Partial<StayBooking> & Pick<StayBooking, "bookingId">): StayBooking {
  return {
    groupId: null,
    status: "Confirmed",
    arrivalDate: "2025-03-10",
    departureDate: "2025-03-11",
    adults: 2,
    children: 0,
    infants: 0,
    siteId: `site-${overrides.bookingId}`,
    siteName: `R${overrides.bookingId}`,
    guestName: null,
    items: [],
    ...overrides,
  };
}

const item = (stayDate: string, name: string, glAccountId: string | null = null): BookingItem => ({
  stayDate,
  name,
  glAccountId,
});

function derive(bookings: StayBooking[], dates = DATES, mealMapping = NAME_MEALS): DailyFigures[] {
  return deriveDailyFigures(bookings, dates, { roomsAvailable: 20, mealMapping });
}

function column<K extends keyof DailyFigures>(figures: DailyFigures[], key: K): DailyFigures[K][] {
  return figures.map((f) => f[key]);
}

describe("deriveDailyFigures", () => {
  it("returns one zeroed row per date with the room inventory", () => {
    const figures = derive([]);
    expect(column(figures, "date")).toEqual(DATES);
    expect(figures[0]).toEqual({
      date: "2025-03-10",
      roomsAvailable: 20,
      roomsOccupied: 0,
      adults: 0,
      children: 0,
      infants: 0,
      arrivals: 0,
      arrivalGuests: 0,
      departures: 0,
      departureGuests: 0,
      breakfastCovers: 0,
      dinnerCovers: 0,
      roomBreakdown: [],
    });
  });

  it("counts a stay crossing both window edges on every night but no arrival or departure", () => {
    const figures = derive([
      booking({
        bookingId: "1",
        arrivalDate: "2025-03-05",
        departureDate: "2025-03-20",
        adults: 2,
        children: 1,
      }),
    ]);
    expect(column(figures, "roomsOccupied")).toEqual([1, 1, 1, 1]);
    expect(column(figures, "adults")).toEqual([2, 2, 2, 2]);
    expect(column(figures, "children")).toEqual([1, 1, 1, 1]);
    expect(column(figures, "arrivals")).toEqual([0, 0, 0, 0]);
    expect(column(figures, "departures")).toEqual([0, 0, 0, 0]);
  });

  it("counts arrival on its date and departure on its date, the departure night not stayed", () => {
    const figures = derive([
      booking({
        bookingId: "1",
        arrivalDate: "2025-03-11",
        departureDate: "2025-03-13",
        adults: 2,
        infants: 1,
      }),
    ]);
    expect(column(figures, "roomsOccupied")).toEqual([0, 1, 1, 0]);
    expect(column(figures, "infants")).toEqual([0, 1, 1, 0]);
    expect(column(figures, "arrivals")).toEqual([0, 1, 0, 0]);
    expect(column(figures, "arrivalGuests")).toEqual([0, 3, 0, 0]);
    expect(column(figures, "departures")).toEqual([0, 0, 0, 1]);
    expect(column(figures, "departureGuests")).toEqual([0, 0, 0, 3]);
  });

  it("counts a same-day arrival and departure as both but occupying no night", () => {
    const figures = derive([
      booking({ bookingId: "1", arrivalDate: "2025-03-12", departureDate: "2025-03-12", adults: 1 }),
    ]);
    expect(column(figures, "arrivals")).toEqual([0, 0, 1, 0]);
    expect(column(figures, "departures")).toEqual([0, 0, 1, 0]);
    expect(column(figures, "roomsOccupied")).toEqual([0, 0, 0, 0]);
    expect(column(figures, "adults")).toEqual([0, 0, 0, 0]);
  });

  it("ignores cancelled, no-show, quote, waitlist and owner-occupied bookings in any casing", () => {
    const ignored = [
      "Cancelled",
      "CANCELED",
      "no-show",
      "No Show",
      "noshow",
      "Quote",
      "WAITLIST",
      "Owner Occupied",
      "owner_occupied",
    ];
    const counted = ["confirmed", "ARRIVED", "Un-Confirmed", "departed", "Something New"];
    const figures = derive([
      ...ignored.map((status, i) =>
        booking({
          bookingId: `x${i}`,
          status,
          departureDate: "2025-03-12",
          items: [item("2025-03-10", "Breakfast")],
        }),
      ),
      ...counted.map((status, i) =>
        booking({ bookingId: `c${i}`, status, adults: 1, items: [item("2025-03-10", "Dinner")] }),
      ),
    ]);
    expect(figures[0]).toMatchObject({ roomsOccupied: 5, adults: 5, arrivals: 5, dinnerCovers: 5 });
    expect(figures[1]).toMatchObject({ roomsOccupied: 0, departures: 5, breakfastCovers: 0 });
    expect(figures[0]?.roomBreakdown.map((r) => r.bookingId)).toEqual(["c0", "c1", "c2", "c3", "c4"]);
  });

  it("counts distinct rooms, and a booking without a room as one room", () => {
    const figures = derive([
      // Two bookings of one group sharing room 101 on the 10th, e.g. a room move within a group.
      booking({ bookingId: "1", siteId: "s101", siteName: "101", groupId: "g1" }),
      booking({ bookingId: "2", siteId: "s101", siteName: "101", groupId: "g1", adults: 1 }),
      booking({ bookingId: "3", siteId: null, siteName: null }),
      booking({ bookingId: "4", siteId: null, siteName: null }),
    ]);
    expect(figures[0]).toMatchObject({ roomsOccupied: 3, adults: 7 });
  });

  it("follows a room move: the guest leaves one room the morning they take the other", () => {
    const figures = derive([
      booking({
        bookingId: "1",
        siteId: "s101",
        siteName: "101",
        arrivalDate: "2025-03-10",
        departureDate: "2025-03-12",
      }),
      booking({
        bookingId: "2",
        siteId: "s205",
        siteName: "205",
        arrivalDate: "2025-03-12",
        departureDate: "2025-03-14",
      }),
      // Night of the 12th: room 101 is re-let to someone else.
      booking({
        bookingId: "3",
        siteId: "s101",
        siteName: "101",
        arrivalDate: "2025-03-12",
        departureDate: "2025-03-13",
      }),
    ]);
    expect(column(figures, "roomsOccupied")).toEqual([1, 1, 2, 1]);
    expect(figures[2]?.roomBreakdown.map((r) => [r.room, r.bookingId])).toEqual([
      ["101", "3"],
      ["205", "2"],
    ]);
    expect(column(figures, "arrivals")).toEqual([1, 0, 2, 0]);
    expect(column(figures, "departures")).toEqual([0, 0, 1, 1]);
  });

  it("lists group bookings room by room, in natural room order", () => {
    const figures = derive([
      booking({ bookingId: "7", siteId: "s10", siteName: "10", groupId: "G", adults: 2, children: 2 }),
      booking({ bookingId: "8", siteId: "s9", siteName: "9", groupId: "G", adults: 1 }),
      booking({ bookingId: "9", siteId: "s100", siteName: "100", groupId: null, guestName: "Ann Lee" }),
    ]);
    expect(figures[0]?.roomBreakdown).toEqual([
      expect.objectContaining({ room: "9", bookingId: "8", groupId: "G", adults: 1 }),
      expect.objectContaining({ room: "10", bookingId: "7", groupId: "G", adults: 2, children: 2 }),
      expect.objectContaining({ room: "100", bookingId: "9", groupId: null, guestName: "Ann Lee" }),
    ]);
    expect(figures[0]).toMatchObject({ roomsOccupied: 3, adults: 5, children: 2 });
  });

  it("serves breakfast the morning after the night it is sold for, counting a booking once per night", () => {
    const figures = derive([
      booking({
        bookingId: "1",
        arrivalDate: "2025-03-10",
        departureDate: "2025-03-12",
        adults: 2,
        children: 1,
        infants: 1,
        items: [
          item("2025-03-10", "BB Breakfast"),
          item("2025-03-10", "Breakfast supplement"),
          item("2025-03-11", "breakfast"),
        ],
      }),
    ]);
    // Infants eat free and are not covers; nights 10th and 11th -> mornings 11th and 12th.
    expect(column(figures, "breakfastCovers")).toEqual([0, 3, 3, 0]);
    expect(figures[0]?.roomBreakdown[0]?.hasBreakfast).toBe(true);
    expect(figures[1]?.roomBreakdown[0]?.hasBreakfast).toBe(true);
  });

  it("counts breakfast on the first date from the night before the window", () => {
    const figures = derive([
      booking({
        bookingId: "1",
        arrivalDate: "2025-03-09",
        departureDate: "2025-03-10",
        adults: 2,
        items: [item("2025-03-09", "Breakfast")],
      }),
    ]);
    expect(column(figures, "breakfastCovers")).toEqual([2, 0, 0, 0]);
    expect(column(figures, "departures")).toEqual([1, 0, 0, 0]);
    expect(column(figures, "roomsOccupied")).toEqual([0, 0, 0, 0]);
  });

  it("counts dinner on the item's own date and marks dinner-bed-and-breakfast nights", () => {
    const figures = derive([
      booking({
        bookingId: "1",
        arrivalDate: "2025-03-10",
        departureDate: "2025-03-12",
        adults: 2,
        children: 2,
        items: [
          item("2025-03-10", "DBB Dinner"),
          item("2025-03-10", "Dinner wine pairing"),
          item("2025-03-10", "DBB Breakfast"),
          item("2025-03-11", "BB Breakfast"),
        ],
      }),
    ]);
    expect(column(figures, "dinnerCovers")).toEqual([4, 0, 0, 0]);
    expect(figures[0]?.roomBreakdown[0]).toMatchObject({ hasBreakfast: true, isDbb: true });
    expect(figures[1]?.roomBreakdown[0]).toMatchObject({ hasBreakfast: true, isDbb: false });
  });

  it("classifies meals by GL account when the kitchen maps them, ignoring names", () => {
    const mapping: MealMapping = { breakfastGlAccountIds: ["41"], dinnerGlAccountIds: ["42"] };
    const figures = derive(
      [
        booking({
          bookingId: "1",
          adults: 1,
          items: [item("2025-03-10", "Morning package", "41"), item("2025-03-10", "Dinner", "99")],
        }),
        booking({ bookingId: "2", adults: 3, items: [item("2025-03-10", "Evening", "42")] }),
      ],
      DATES,
      mapping,
    );
    expect(column(figures, "breakfastCovers")).toEqual([0, 1, 0, 0]);
    expect(column(figures, "dinnerCovers")).toEqual([3, 0, 0, 0]);
  });

  it("works on property-local dates: an Auckland stay is counted on its local dates", () => {
    // 2025-03-10 22:00 UTC is already 2025-03-11 in Auckland; Newbook reports the local dates.
    const dates = dateRange("2025-03-11", "2025-03-12");
    const figures = derive(
      [booking({ bookingId: "1", arrivalDate: "2025-03-11", departureDate: "2025-03-12", adults: 2 })],
      dates,
    );
    expect(column(figures, "roomsOccupied")).toEqual([1, 0]);
    expect(column(figures, "arrivals")).toEqual([1, 0]);
    expect(column(figures, "departures")).toEqual([0, 1]);
  });

  it("treats the Europe/London clock-change days as ordinary nights", () => {
    const dates = dateRange("2025-03-29", "2025-04-01");
    const figures = derive(
      [
        booking({
          bookingId: "1",
          arrivalDate: "2025-03-29",
          departureDate: "2025-03-31",
          adults: 2,
          items: [item("2025-03-29", "Breakfast"), item("2025-03-30", "Breakfast")],
        }),
        booking({ bookingId: "2", arrivalDate: "2025-03-30", departureDate: "2025-04-01", adults: 1 }),
      ],
      dates,
    );
    expect(column(figures, "roomsOccupied")).toEqual([1, 2, 1, 0]);
    expect(column(figures, "breakfastCovers")).toEqual([0, 2, 2, 0]);
    expect(column(figures, "departures")).toEqual([0, 0, 1, 1]);
  });
});
