import type { RoomNight } from "@occ/db";
import fc from "fast-check";
import { NON_STAYING_STATUSES, normaliseStatus } from "../newbook/types";
import { addDays, dateRange, type LocalDate } from "../time";
import { affectedSpan } from "./affected-dates";
import { type DailyFigures, deriveDailyFigures, type StayBooking } from "./derive";
import type { MealMapping } from "./meals";

const FROM = "2025-06-01";
const TO = "2025-06-08";
const DATES = dateRange(FROM, TO);
const STATUSES = [
  "Confirmed",
  "arrived",
  "DEPARTED",
  "Unconfirmed",
  "Cancelled",
  "No-Show",
  "quote",
  "Waitlist",
  "owner occupied",
];
const ITEM_NAMES = ["BB Breakfast", "DBB Dinner", "Room", "breakfast hamper", "Spa"];

/** Dates a little beyond the window on both sides, so edge effects are exercised. */
const dateArb = fc.integer({ min: -4, max: 12 }).map((offset) => addDays(FROM, offset));

const bookingArb = fc
  .record({
    status: fc.constantFrom(...STATUSES),
    arrival: dateArb,
    nights: fc.integer({ min: 0, max: 6 }),
    adults: fc.integer({ min: 0, max: 4 }),
    children: fc.integer({ min: 0, max: 3 }),
    infants: fc.integer({ min: 0, max: 2 }),
    site: fc.option(fc.constantFrom("1", "2", "3", "4", "10"), { nil: null }),
    groupId: fc.option(fc.constantFrom("g1", "g2"), { nil: null }),
    items: fc.array(
      fc.record({
        stayDate: dateArb,
        name: fc.constantFrom(...ITEM_NAMES),
        glAccountId: fc.option(fc.constantFrom("41", "42", "50"), { nil: null }),
      }),
      { maxLength: 6 },
    ),
  })
  .map(
    (b): Omit<StayBooking, "bookingId"> => ({
      status: b.status,
      arrivalDate: b.arrival,
      departureDate: addDays(b.arrival, b.nights),
      adults: b.adults,
      children: b.children,
      infants: b.infants,
      siteId: b.site,
      siteName: b.site,
      groupId: b.groupId,
      guestName: null,
      items: b.items,
    }),
  );

const booksArb = fc
  .array(bookingArb, { maxLength: 40 })
  .map((list) => list.map((b, i): StayBooking => ({ ...b, bookingId: String(i + 1) })));

const mappingArb: fc.Arbitrary<MealMapping> = fc.constantFrom(
  { breakfastGlAccountIds: [], dinnerGlAccountIds: [] },
  { breakfastGlAccountIds: ["41"], dinnerGlAccountIds: ["42"] },
  { breakfastGlAccountIds: ["41", "50"], dinnerGlAccountIds: [] },
);

/** The definition read literally: for each date, look at every booking. */
function reference(books: StayBooking[], dates: LocalDate[], mapping: MealMapping): DailyFigures[] {
  const isMeal = (name: string, gl: string | null, meal: "breakfast" | "dinner") => {
    const ids = meal === "breakfast" ? mapping.breakfastGlAccountIds : mapping.dinnerGlAccountIds;
    return ids.length > 0 ? gl !== null && ids.includes(gl) : name.toLowerCase().includes(meal);
  };
  const hasMeal = (b: StayBooking, night: LocalDate, meal: "breakfast" | "dinner") =>
    b.items.some((i) => i.stayDate === night && isMeal(i.name, i.glAccountId, meal));
  const counted = books.filter((b) => !NON_STAYING_STATUSES.has(normaliseStatus(b.status)));
  const sum = (list: StayBooking[], f: (b: StayBooking) => number) => list.reduce((n, b) => n + f(b), 0);
  const guests = (b: StayBooking) => b.adults + b.children + b.infants;
  const covers = (b: StayBooking) => b.adults + b.children;

  return dates.map((d) => {
    const staying = counted.filter((b) => b.arrivalDate <= d && d < b.departureDate);
    const arriving = counted.filter((b) => b.arrivalDate === d);
    const departing = counted.filter((b) => b.departureDate === d);
    const rooms = new Set(staying.map((b) => b.siteId ?? `none-${b.bookingId}`));
    const breakdown: RoomNight[] = staying.map((b) => ({
      room: b.siteName ?? b.siteId ?? "",
      siteId: b.siteId,
      bookingId: b.bookingId,
      groupId: b.groupId,
      guestName: b.guestName,
      adults: b.adults,
      children: b.children,
      infants: b.infants,
      arrival: b.arrivalDate,
      departure: b.departureDate,
      hasBreakfast: hasMeal(b, d, "breakfast"),
      isDbb: hasMeal(b, d, "breakfast") && hasMeal(b, d, "dinner"),
    }));
    const collator = new Intl.Collator("en", { numeric: true });
    breakdown.sort((a, b) => collator.compare(a.room, b.room) || collator.compare(a.bookingId, b.bookingId));
    return {
      date: d,
      roomsAvailable: 30,
      roomsOccupied: rooms.size,
      adults: sum(staying, (b) => b.adults),
      children: sum(staying, (b) => b.children),
      infants: sum(staying, (b) => b.infants),
      arrivals: arriving.length,
      arrivalGuests: sum(arriving, guests),
      departures: departing.length,
      departureGuests: sum(departing, guests),
      breakfastCovers: sum(
        counted.filter((b) => hasMeal(b, addDays(d, -1), "breakfast")),
        covers,
      ),
      dinnerCovers: sum(
        counted.filter((b) => hasMeal(b, d, "dinner")),
        covers,
      ),
      roomBreakdown: breakdown,
    };
  });
}

describe("deriveDailyFigures (property)", () => {
  it("agrees with the per-date reference on random booking books", () => {
    fc.assert(
      fc.property(booksArb, mappingArb, (books, mapping) => {
        const fast = deriveDailyFigures(books, DATES, { roomsAvailable: 30, mealMapping: mapping });
        expect(fast).toEqual(reference(books, DATES, mapping));
      }),
      { numRuns: 500 },
    );
  });
});

describe("affectedSpan (property)", () => {
  it("leaves every date outside it with the figures it had before the change", () => {
    // One booking changed, added or removed: the change is given as the booking before and after.
    const changeArb = fc.record({
      books: booksArb,
      replacement: fc.option(bookingArb, { nil: null }),
      pick: fc.nat(),
      added: fc.boolean(),
    });
    fc.assert(
      fc.property(changeArb, mappingArb, ({ books, replacement, pick, added }, mapping) => {
        const index = books.length === 0 ? 0 : pick % books.length;
        const old = added ? undefined : books[index];
        const next = replacement && { ...replacement, bookingId: old?.bookingId ?? "new" };
        const after = old
          ? books.flatMap((b, i) => (i === index ? (next ? [next] : []) : [b]))
          : [...books, ...(next ? [next] : [])];
        const options = { roomsAvailable: 30, mealMapping: mapping };
        const was = deriveDailyFigures(books, DATES, options);
        const is = deriveDailyFigures(after, DATES, options);
        const span = affectedSpan(
          { from: FROM, to: TO },
          [old, next].filter((b) => b != null),
        );
        DATES.forEach((date, i) => {
          if (span && date >= span.from && date <= span.to) return;
          expect(is[i]).toEqual(was[i]);
        });
      }),
      { numRuns: 1000 },
    );
  });
});
