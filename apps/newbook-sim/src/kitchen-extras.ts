import { chance, hashSeed, mulberry32, pick, type Rng, randInt, weighted } from "./prng";

/**
 * What a kitchen reads of a booking beyond rooms and counts: arrival time, dietary needs, VIPs, group names
 * and notes. Each is derived from a seed of its own (never from the property's main stream), so adding
 * these fields left every existing booking, date and count of a seed exactly as it was.
 */

const DIETARY: readonly (readonly [string, number])[] = [
  ["Vegetarian", 30],
  ["Vegan", 12],
  ["Gluten free", 16],
  ["Dairy free", 9],
  ["Nut allergy", 8],
  ["Shellfish allergy", 4],
  ["Coeliac", 5],
  ["Halal", 6],
  ["Kosher", 2],
  ["Pescatarian", 6],
  ["Low FODMAP", 2],
];

/** Newbook's note types as seen in exports: only some notes concern the kitchen. */
export const NOTE_TYPES = { general: 1, housekeeping: 2, reception: 3, food_and_beverage: 4 } as const;

const KITCHEN_NOTES: readonly string[] = [
  "Birthday on the second night - cake with dinner please",
  "Celebrating their anniversary: champagne at dinner",
  "Severe peanut allergy, carries an EpiPen",
  "Early breakfast requested (06:15) on departure day",
  "Late arrival - please keep a dinner plate aside",
  "High chair needed at breakfast",
  "Guest is coeliac: separate toaster at breakfast",
  "Prefers a quiet table by the window for dinner",
];
const OTHER_NOTES: readonly string[] = [
  "Extra pillows and a spare blanket",
  "Late checkout requested (12:00)",
  "Parking: blue Toyota, plate ABC123",
  "Invoice to company, card on file",
  "Returning guest - upgrade if available",
  "Ground floor room if possible",
];

const GROUP_NAMES: readonly string[] = [
  "Harper-Lee Wedding",
  "Rotary Club Conference",
  "Scenic Coaches Tour",
  "Regional Sales Offsite",
  "U18 Netball Team",
  "Garden Society Weekend",
  "Film Crew",
  "Walking Tour",
];

export interface GuestExtras {
  dietaryRequirements: string[];
  /** Local datetime the guest was flagged VIP, or null. */
  vipWhen: string | null;
}

export interface NoteWire {
  typeId: number;
  content: string;
}

function extrasRng(guestSeed: number, salt: number): Rng {
  return mulberry32(hashSeed(guestSeed, salt));
}

/** Extras of each named guest, in guest order; only ever the primary guest is a VIP. */
export function guestExtrasFor(guestSeed: number, guestCount: number, placed: string): GuestExtras[] {
  const rng = extrasRng(guestSeed, 0xd1e7);
  const vip = chance(rng, 0.04);
  return Array.from({ length: guestCount }, (_, i) => {
    const dietary: string[] = [];
    if (chance(rng, 0.13)) {
      dietary.push(weighted(rng, DIETARY));
      if (chance(rng, 0.2)) {
        const second = weighted(rng, DIETARY);
        if (second !== dietary[0]) dietary.push(second);
      }
    }
    return { dietaryRequirements: dietary, vipWhen: vip && i === 0 ? placed : null };
  });
}

/** About a quarter of bookings carry notes; most of those concern the front desk, not the kitchen. */
export function notesFor(guestSeed: number): NoteWire[] {
  const rng = extrasRng(guestSeed, 0x0e7e);
  const notes: NoteWire[] = [];
  if (chance(rng, 0.1))
    notes.push({ typeId: NOTE_TYPES.food_and_beverage, content: pick(rng, KITCHEN_NOTES) });
  if (chance(rng, 0.15)) {
    const typeId = chance(rng, 0.5) ? NOTE_TYPES.housekeeping : NOTE_TYPES.reception;
    notes.push({ typeId, content: pick(rng, OTHER_NOTES) });
  }
  return notes;
}

export function groupNameFor(groupId: number): string {
  const name = GROUP_NAMES[groupId % GROUP_NAMES.length] ?? "Group";
  return `${name} ${groupId}`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Expected time of arrival as guests give it: about a third give none, many leave the default check-in
 * time, the rest a time rounded to the quarter hour between midday and late evening.
 */
export function etaFor(guestSeed: number, checkInTime: string): string | null {
  const rng = extrasRng(guestSeed, 0x0e7a);
  const roll = rng();
  if (roll < 0.35) return null;
  if (roll < 0.6) return checkInTime;
  const hour = weighted(rng, [
    [12, 2],
    [13, 4],
    [14, 6],
    [15, 8],
    [16, 8],
    [17, 7],
    [18, 5],
    [19, 3],
    [20, 2],
    [21, 1],
    [22, 1],
  ] as const);
  return `${pad(hour)}:${pad(randInt(rng, 0, 3) * 15)}:00`;
}

/** Arrived guests checked in during the afternoon (an hour either side of their ETA when they gave one). */
export function checkedInFor(guestSeed: number, arrivalDate: string, eta: string | null): string {
  const rng = extrasRng(guestSeed, 0xc4ec);
  const etaHour = eta === null ? 15 : Number(eta.slice(0, 2));
  const hour = Math.min(21, Math.max(13, etaHour + randInt(rng, -1, 1)));
  return `${arrivalDate} ${pad(hour)}:${pad(randInt(rng, 0, 59))}:${pad(randInt(rng, 0, 59))}`;
}
