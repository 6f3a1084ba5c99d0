import { chance, mulberry32, pick, randInt } from "./prng";
import type { Guest } from "./types";

const FIRST_NAMES = [
  "Olivia",
  "Jack",
  "Amelia",
  "Noah",
  "Isla",
  "Leo",
  "Mia",
  "Oliver",
  "Ava",
  "William",
  "Grace",
  "James",
  "Sophie",
  "Lucas",
  "Chloe",
  "Henry",
  "Ella",
  "Thomas",
  "Zara",
  "Ethan",
  "Priya",
  "Mateo",
  "Aroha",
  "Kenji",
];
const LAST_NAMES = [
  "Smith",
  "Jones",
  "Williams",
  "Brown",
  "Taylor",
  "Wilson",
  "Nguyen",
  "Patel",
  "Martin",
  "Walker",
  "Thompson",
  "White",
  "Clarke",
  "Hall",
  "Young",
  "King",
  "Wright",
  "Scott",
  "Ngata",
  "Tanaka",
  "Rossi",
];

/**
 * Guests are derived from a per-booking seed when serialised instead of stored: a 1000-room book has
 * ~80k bookings and building their guest objects up front dominated generation time.
 */
export function guestsFor(seed: number, adults: number, children: number): Guest[] {
  const rng = mulberry32(seed);
  const lastname = pick(rng, LAST_NAMES);
  const guests: Guest[] = [];
  const named = Math.max(1, Math.min(adults, 2) + (children > 0 && chance(rng, 0.3) ? 1 : 0));
  for (let i = 0; i < named; i++) {
    const firstname = pick(rng, FIRST_NAMES);
    const ownLast = i > 0 && chance(rng, 0.3) ? pick(rng, LAST_NAMES) : lastname;
    guests.push({
      firstname,
      lastname: ownLast,
      primary: i === 0,
      email: `${firstname}.${ownLast}${randInt(rng, 1, 99)}@example.com`.toLowerCase(),
      phone: `+1555${String(randInt(rng, 0, 9_999_999)).padStart(7, "0")}`,
    });
  }
  return guests;
}
