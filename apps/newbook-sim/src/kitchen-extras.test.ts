import { generateProperty } from "./generator";
import { bookingToWire } from "./serialize";
import { defaultSwitches } from "./switches";

const TODAY = "2025-06-15";
const SEED = 7;

describe("kitchen fields on the wire", () => {
  // Printed so a failure can be reproduced with the same book.
  console.info(`kitchen-extras test seed ${SEED}`);
  const p = generateProperty({ seed: SEED, index: 0, rooms: 80, timezone: "Europe/London", today: TODAY });
  const near = p.bookings.filter((b) => b.arrivalDate >= "2025-05-15" && b.arrivalDate <= "2025-07-15");
  const wire = near.map((b) => bookingToWire(b, p, defaultSwitches()));
  type WireGuest = { dietary_requirements: string[]; vip_when: string | null };
  const guests = wire.flatMap((w) => w.guests as unknown as WireGuest[]);

  it("gives ETAs as a time only, often none or the default check-in time", () => {
    const etas = wire.map((w) => w.booking_eta);
    expect(etas.every((e) => e === null || /^\d{2}:\d{2}:00$/.test(String(e)))).toBe(true);
    const share = (pred: (e: unknown) => boolean) => etas.filter(pred).length / etas.length;
    expect(share((e) => e === null)).toBeGreaterThan(0.25);
    expect(share((e) => e === null)).toBeLessThan(0.45);
    expect(share((e) => e === "14:00:00")).toBeGreaterThan(0.15);
    const hours = new Set(etas.filter((e) => e !== null).map((e) => String(e).slice(0, 2)));
    expect(hours.size).toBeGreaterThan(6);
  });

  it("checks in arrived and departed bookings in the afternoon of their arrival day, nobody else", () => {
    for (const w of wire) {
      const status = String(w.booking_status);
      if (status === "Arrived" || status === "Departed") {
        expect(String(w.booking_checkedin)).toMatch(
          new RegExp(`^${String(w.booking_arrival).slice(0, 10)} (1[3-9]|2[01]):`),
        );
      } else {
        expect(w.booking_checkedin).toBeNull();
      }
    }
    expect(wire.some((w) => w.booking_checkedin !== null)).toBe(true);
  });

  it("gives some guests dietary needs, a few VIPs, groups a name and some bookings kitchen notes", () => {
    const withDietary = guests.filter((g) => g.dietary_requirements.length > 0).length / guests.length;
    expect(withDietary).toBeGreaterThan(0.06);
    expect(withDietary).toBeLessThan(0.25);
    expect(guests.some((g) => g.vip_when !== null)).toBe(true);
    expect(guests.filter((g) => g.vip_when !== null).length / wire.length).toBeLessThan(0.1);
    const grouped = wire.filter((w) => w.bookings_group_id !== null);
    expect(grouped.length).toBeGreaterThan(0);
    expect(grouped.every((w) => typeof w.bookings_group_name === "string")).toBe(true);
    const notes = wire.flatMap((w) => w.notes as { type_id: string; content: string }[]);
    expect(notes.some((n) => n.type_id === "4")).toBe(true);
    expect(notes.some((n) => n.type_id !== "4")).toBe(true);
  });

  it("is deterministic for a seed and offers the older datetime ETA as a switch", () => {
    const again = generateProperty({
      seed: SEED,
      index: 0,
      rooms: 80,
      timezone: "Europe/London",
      today: TODAY,
    });
    const first = near[0]!;
    const twin = again.bookings.find((b) => b.id === first.id)!;
    expect(JSON.stringify(bookingToWire(twin, again, defaultSwitches()))).toBe(JSON.stringify(wire[0]));
    const withEta = near.find((b) => b.eta !== null)!;
    const legacy = bookingToWire(withEta, p, { ...defaultSwitches(), booking_eta_form: "datetime" });
    expect(legacy.booking_eta).toBe(`${withEta.arrivalDate} ${withEta.eta}`);
  });
});
