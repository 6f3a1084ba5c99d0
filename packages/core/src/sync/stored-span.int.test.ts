import { bookings, kitchens } from "@occ/db";
import { createTestDatabase, type TestDatabase } from "@occ/testkit";
import { rawDigestColumn } from "./booking-rows";
import { knownBookings } from "./persist";

/**
 * knownBookings with a focus: a run from the change feed reads in full only the stays that count on the
 * dates it derives again (and the stored versions of the bookings it read), and counts the rest.
 */

let testDb: TestDatabase;
let kitchenId: number;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const [kitchen] = await testDb.handle.db
    .insert(kitchens)
    .values({ name: "Span", timezone: "UTC" })
    .returning();
  kitchenId = kitchen!.id;
  const booking = (
    newbookId: string,
    arrivalDate: string,
    departureDate: string,
    itemDates: string[] = [],
  ): typeof bookings.$inferInsert => ({
    kitchenId,
    newbookId,
    status: "confirmed",
    arrivalDate,
    departureDate,
    items: itemDates.map((stayDate) => ({ name: "Dinner", stayDate, glAccountId: "7" })),
    contentHash: `hash-${newbookId}`,
    rawDigest: rawDigestColumn(`digest-${newbookId}`),
  });
  await testDb.handle.db.insert(bookings).values([
    booking("early", "2026-12-01", "2026-12-03"),
    booking("departs-on-10", "2026-12-08", "2026-12-10"),
    booking("arrives-on-12", "2026-12-12", "2026-12-14"),
    booking("late", "2026-12-13", "2026-12-15"),
    // Stays early, but an item it holds falls on the 9th: it counts on the 9th and the 10th.
    booking("meal-on-9", "2026-12-01", "2026-12-02", ["2026-12-09"]),
    // An item on the 13th counts on the 13th and the 14th only.
    booking("meal-on-13", "2026-12-01", "2026-12-02", ["2026-12-13"]),
    // Read by the run (by id), though it counts on none of the dates.
    booking("read", "2026-12-14", "2026-12-15"),
    { ...booking("purged", "2026-12-10", "2026-12-11"), personalDataPurgedAt: new Date() },
  ]);
});

afterAll(() => testDb?.drop());

const span = { from: "2026-12-01", to: "2026-12-15" };
const ids = (stored: Awaited<ReturnType<typeof knownBookings>>) =>
  [...stored.byDigest.values()].map((stay) => stay.bookingId).sort();

test("without a focus, every recognisable stay of the span is read, keyed by its raw digest", async () => {
  const stored = await knownBookings(testDb.handle.db, kitchenId, span);
  expect(ids(stored)).toEqual(
    ["arrives-on-12", "departs-on-10", "early", "late", "meal-on-13", "meal-on-9", "read"].sort(),
  );
  expect(stored.byDigest.get("digest-early")?.bookingId).toBe("early");
  expect({ recognised: stored.recognised, others: stored.others }).toEqual({ recognised: 7, others: 1 });
});

test("with a focus, only the stays counting on its dates and the bookings read are read; all are counted", async () => {
  const stored = await knownBookings(testDb.handle.db, kitchenId, span, {
    ids: ["read", "not-stored"],
    dates: { from: "2026-12-10", to: "2026-12-12" },
  });
  // departs-on-10 departs on the 10th, arrives-on-12 arrives on the 12th, meal-on-9's item is the night
  // before the 10th (breakfast on the 10th is sold with it); early, late and meal-on-13 count on none.
  expect(ids(stored)).toEqual(["arrives-on-12", "departs-on-10", "meal-on-9", "read"].sort());
  expect({ recognised: stored.recognised, others: stored.others }).toEqual({ recognised: 7, others: 1 });
});

test("with a focus on no dates, only the bookings read are read", async () => {
  const stored = await knownBookings(testDb.handle.db, kitchenId, span, { ids: ["read"], dates: null });
  expect(ids(stored)).toEqual(["read"]);
  expect(stored.recognised).toBe(7);
});
