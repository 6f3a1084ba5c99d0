import { normaliseBooking, rawBookingSchema } from "./types";

const base = {
  booking_id: 33471,
  booking_status: "Confirmed",
  booking_arrival: "2025-06-15 14:00:00",
  booking_departure: "2025-06-17 10:30:00",
  booking_adults: "2",
};
const parse = (extra: Record<string, unknown>) =>
  normaliseBooking(rawBookingSchema.parse({ ...base, ...extra }));

describe("kitchen fields of a booking", () => {
  it("reads the real form (time-only ETA, arrays, vip_when datetime, typed notes)", () => {
    const b = parse({
      booking_eta: "15:30:00",
      booking_checkedin: "2025-06-15 15:42:10",
      bookings_group_id: 88,
      bookings_group_name: " Harper-Lee Wedding\t",
      guests: [
        {
          firstname: "Ava\t",
          lastname: "Smith",
          primary_client: "1",
          dietary_requirements: ["Vegan", "Nut allergy", "Vegan"],
          vip_when: "2025-03-02 09:12:00",
        },
        {
          firstname: "Leo",
          lastname: "Smith",
          primary_client: "0",
          dietary_requirements: [],
          vip_when: null,
        },
      ],
      notes: [
        { type_id: 4, content: "Birthday on the second night - cake with dinner please" },
        { type_id: 2, content: "Extra pillows and a spare blanket" },
      ],
    });
    expect(b.eta).toBe("15:30");
    expect(b.checkedInAt).toBe("2025-06-15 15:42:10");
    expect(b.groupName).toBe("Harper-Lee Wedding");
    expect(b.guests).toEqual([
      { name: "Ava Smith", dietary: ["Vegan", "Nut allergy"], vip: true },
      { name: "Leo Smith", dietary: [], vip: false },
    ]);
    expect(b.notes).toEqual(["Birthday on the second night - cake with dinner please"]);
  });

  it("reads the older forms (datetime ETA, zero dates, comma-separated or object dietary, string notes)", () => {
    const b = parse({
      booking_eta: "2025-06-15 18:45:00",
      booking_checkedin: "0000-00-00 00:00:00",
      guests: [
        {
          firstname: "Kenji",
          lastname: "Tanaka",
          dietary_requirements: "Gluten free; Dairy free",
          vip_when: "0000-00-00 00:00:00",
        },
        { firstname: "Mia", lastname: "Tanaka", dietary_requirements: [{ name: "Halal" }, { id: 3 }] },
      ],
      notes: ["Severe peanut allergy, carries an EpiPen", "Parking: blue Toyota"],
    });
    expect(b.eta).toBe("18:45");
    expect(b.checkedInAt).toBeNull();
    expect(b.guests.map((g) => [g.dietary, g.vip])).toEqual([
      [["Gluten free", "Dairy free"], false],
      [["Halal"], false],
    ]);
    expect(b.notes).toEqual(["Severe peanut allergy, carries an EpiPen"]);
  });

  it("treats missing, empty and unreadable values as absent instead of failing the sync", () => {
    const absent = parse({});
    expect([absent.eta, absent.checkedInAt, absent.groupName, absent.guests, absent.notes]).toEqual([
      null,
      null,
      null,
      [],
      [],
    ]);
    const odd = parse({
      booking_eta: "00:00:00",
      booking_checkedin: "soon",
      bookings_group_name: "",
      guests: [{ firstname: "Zara", dietary_requirements: { weird: true }, vip_when: "" }],
      notes: { content: "not a list" },
    });
    expect([odd.eta, odd.checkedInAt, odd.groupName, odd.notes]).toEqual([null, null, null, []]);
    expect(odd.guests).toEqual([{ name: "Zara", dietary: [], vip: false }]);
    expect(parse({ booking_eta: "25:10:00" }).eta).toBeNull();
    expect(parse({ booking_eta: "9:05" }).eta).toBe("09:05");
  });
});
