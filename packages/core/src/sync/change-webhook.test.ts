import type { BookingSnapshot, DayDelta } from "@occ/db";
import type { SummarisedChange } from "./change-summary";
import { changesForWebhook, changeWebhookMessage } from "./change-webhook";

const TODAY = "2025-06-02"; // a Monday
const stay = (arrival: string, departure: string, room: string): BookingSnapshot => ({
  arrival,
  departure,
  room,
  adults: 2,
  children: 0,
  infants: 0,
  mealPlan: "dbb",
});
const delta = (date: string, d: Partial<DayDelta>): DayDelta => ({
  date,
  arrivals: 0,
  guests: 0,
  breakfastCovers: 0,
  dinnerCovers: 0,
  ...d,
});
const arrival = (room: string, date = TODAY, guestName = `Guest ${room}`): SummarisedChange => ({
  kind: "added",
  room,
  guestName,
  fields: [],
  before: null,
  after: stay(date, "2025-06-20", room),
  deltas: [delta(date, { arrivals: 1, guests: 2, dinnerCovers: 2 })],
});

describe("changeWebhookMessage", () => {
  it("tells a big change for tonight in kitchen terms, with the kitchen's name", () => {
    const message = changeWebhookMessage({
      kitchenName: "Harbour Kitchen",
      today: TODAY,
      changes: [arrival("212"), arrival("104")],
      minBookings: 2,
    });
    expect(message).toEqual({
      text: "Harbour Kitchen: +2 arrivals tonight, rooms 104 and 212 · +4 dinner covers tonight",
      bookings: 2,
    });
  });

  it("stays silent below the kitchen's threshold, and when the kitchen wants none", () => {
    const changes = [arrival("104"), arrival("212")];
    expect(changeWebhookMessage({ kitchenName: "K", today: TODAY, changes, minBookings: 3 })).toBeNull();
    expect(changeWebhookMessage({ kitchenName: "K", today: TODAY, changes, minBookings: null })).toBeNull();
  });

  it("counts only today and tomorrow: later changes neither count nor show", () => {
    const later = ["301", "302", "303"].map((room) => arrival(room, "2025-06-04"));
    expect(
      changeWebhookMessage({ kitchenName: "K", today: TODAY, changes: later, minBookings: 1 }),
    ).toBeNull();
    const message = changeWebhookMessage({
      kitchenName: "K",
      today: TODAY,
      changes: [...later, arrival("104", "2025-06-03")],
      minBookings: 1,
    });
    expect(message?.text).toBe("K: +1 arrival tomorrow, room 104 · +2 dinner covers tomorrow");
  });

  it("keeps a long stay's effect on the two days only, and never a guest's name", () => {
    const extended: SummarisedChange = {
      kind: "changed",
      room: "7",
      guestName: "Ada Lovelace",
      fields: ["dates", "room"],
      before: stay("2025-05-30", "2025-06-03", "7"),
      after: stay("2025-05-30", "2025-06-06", "8"),
      deltas: ["2025-06-03", "2025-06-04", "2025-06-05"].map((date) =>
        delta(date, { guests: 2, dinnerCovers: 2, breakfastCovers: date === "2025-06-03" ? 0 : 2 }),
      ),
    };
    const message = changeWebhookMessage({
      kitchenName: "K",
      today: TODAY,
      changes: [extended],
      minBookings: 1,
    });
    expect(message?.text).toBe("K: +2 dinner covers tomorrow · A guest moved from room 7 to 8");
    expect(message?.text).not.toContain("Ada");
  });

  it("counts a room move in house today although no figure moved; not one next week", () => {
    const move = (arrivalDate: string): SummarisedChange => ({
      kind: "changed",
      room: "9",
      guestName: "Grace",
      fields: ["room"],
      before: stay(arrivalDate, "2025-06-12", "5"),
      after: stay(arrivalDate, "2025-06-12", "9"),
      deltas: [],
    });
    expect(changesForWebhook([move("2025-06-01")], TODAY)).toHaveLength(1);
    expect(changesForWebhook([move("2025-06-09")], TODAY)).toHaveLength(0);
  });
});
