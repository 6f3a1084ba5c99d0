import type { RoomNight } from "@occ/db";
import { previousFigures, residentsGrid } from "./occupancy";

const night = (room: string, bookingId: string, arrival: string): RoomNight => ({
  room,
  siteId: null,
  bookingId,
  groupId: null,
  guestName: null,
  adults: 1,
  children: 0,
  infants: 0,
  arrival,
  departure: "2025-01-09",
  hasBreakfast: false,
  isDbb: false,
});

describe("residentsGrid", () => {
  it("sorts rooms naturally and collects each stay's nights within the dates", () => {
    const grid = residentsGrid(
      ["2025-01-01", "2025-01-02"],
      new Map([
        ["2025-01-01", [night("10", "b", "2024-12-30"), night("9", "a", "2025-01-01")]],
        ["2025-01-02", [night("10", "b", "2024-12-30"), night("10", "c", "2025-01-02")]],
      ]),
    );
    expect(grid.map((r) => r.room)).toEqual(["9", "10"]);
    expect(grid[1]!.stays.map((s) => [s.booking_id, s.nights])).toEqual([
      ["b", ["2025-01-01", "2025-01-02"]],
      ["c", ["2025-01-02"]],
    ]);
  });
});

describe("previousFigures", () => {
  it("renames the engine's keys and derives guests", () => {
    expect(
      previousFigures({ adults: 2, children: 1, infants: 1, roomsAvailable: null, breakfastCovers: 3 }),
    ).toMatchObject({
      rooms_available: null,
      guests: 4,
      breakfast_covers: 3,
      dinner_covers: 0,
    });
    expect(previousFigures(null)).toBeNull();
  });
});
