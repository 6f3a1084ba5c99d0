import { addDays, daysBetween } from "./dates";
import { checkedInFor, etaFor } from "./kitchen-extras";
import { chance, hashSeed, mulberry32, pick, type Rng, randHex, randInt, weighted } from "./prng";
import type {
  Booking,
  BookingStatus,
  Category,
  GlAccount,
  MealPlan,
  PropertyData,
  Site,
  SiteStatus,
} from "./types";

export interface GenerateOptions {
  seed: number;
  /** 0-based position of the property; part of its seed, id and credentials. */
  index: number;
  rooms: number;
  timezone: string;
  /** Property-local today (YYYY-MM-DD) to generate around. */
  today: string;
  todayPinned?: boolean;
}

export const DEFAULT_TIMEZONES = [
  "Europe/London",
  "Pacific/Auckland",
  "America/New_York",
  "Australia/Sydney",
  "Europe/Berlin",
  "America/Los_Angeles",
  "Asia/Singapore",
  "Australia/Perth",
] as const;

const REGION_BY_ZONE_PREFIX: readonly (readonly [string, string, number])[] = [
  ["Europe/London", "uk", 0.2],
  ["Europe/Dublin", "uk", 0.135],
  ["Europe/", "eu", 0.19],
  ["Australia/", "au", 0.1],
  ["Pacific/Auckland", "ap", 0.15],
  ["Asia/", "ap", 0.09],
  ["Pacific/", "ap", 0.1],
  ["America/", "us", 0],
];

function regionFor(timezone: string): { region: string; taxRate: number } {
  const match = REGION_BY_ZONE_PREFIX.find(([prefix]) => timezone.startsWith(prefix));
  return match ? { region: match[1], taxRate: match[2] } : { region: "eu", taxRate: 0.2 };
}

const NAME_FIRST = ["Harbour", "Grand", "Riverside", "Kingsley", "Seaview", "Parkside", "Old Mill", "Wattle"];
const NAME_SECOND = ["Hotel", "Lodge", "Inn", "Resort", "House", "Suites"];
const CATEGORY_TEMPLATES: readonly (readonly [string, number, number, number, number])[] = [
  // name, share of rooms, base rate, max adults, max children
  ["Standard Queen", 0.4, 139, 2, 1],
  ["Superior King", 0.25, 179, 2, 1],
  ["Twin", 0.17, 149, 2, 0],
  ["Family Suite", 0.12, 249, 2, 3],
  ["Accessible King", 0.06, 169, 2, 1],
];

const GL_TEMPLATES: readonly Omit<GlAccount, "id">[] = [
  {
    code: "4000",
    name: "Accommodation",
    groupId: 1,
    groupName: "Rooms",
    active: true,
    role: "accommodation",
  },
  {
    code: "4100",
    name: "Breakfast",
    groupId: 2,
    groupName: "Food & Beverage",
    active: true,
    role: "breakfast",
  },
  { code: "4110", name: "Dinner", groupId: 2, groupName: "Food & Beverage", active: true, role: "dinner" },
  { code: "4200", name: "Bar", groupId: 2, groupName: "Food & Beverage", active: true, role: "bar" },
  {
    code: "4300",
    name: "Restaurant",
    groupId: 2,
    groupName: "Food & Beverage",
    active: true,
    role: "restaurant",
  },
  { code: "4500", name: "Car Parking", groupId: 3, groupName: "Other Income", active: true, role: "parking" },
  {
    code: "4900",
    name: "Minibar (old)",
    groupId: 3,
    groupName: "Other Income",
    active: false,
    role: "other",
  },
];

const INDIVIDUAL_MEALS: readonly (readonly [MealPlan, number])[] = [
  ["none", 55],
  ["bb", 30],
  ["dbb", 15],
];
const GROUP_MEALS: readonly (readonly [MealPlan, number])[] = [
  ["none", 55],
  ["bb", 50],
  ["dbb", 15],
];

const CHECK_IN_TIME = "14:00:00";

/** Days of history before today and of future after it (the contract's "60 days before to 400 after"). */
export const HISTORY_DAYS = 60;
export const FUTURE_DAYS = 400;
/** Stays already in house when the book starts. */
const LEAD_IN_DAYS = 14;

const STAY_LENGTHS: readonly (readonly [number, number])[] = [
  [1, 24],
  [2, 22],
  [3, 17],
  [4, 10],
  [5, 7],
  [6, 5],
  [7, 6],
  [8, 2],
  [9, 1.5],
  [10, 1.5],
  [11, 1],
  [12, 1],
  [13, 0.5],
  [14, 1.5],
];
const MEAN_STAY =
  STAY_LENGTHS.reduce((s, [n, w]) => s + n * w, 0) / STAY_LENGTHS.reduce((s, [, w]) => s + w, 0);

export function categoriesFor(rooms: number): { categories: Category[]; counts: number[] } {
  const categories: Category[] = [];
  const counts: number[] = [];
  let assigned = 0;
  CATEGORY_TEMPLATES.forEach(([name, share, baseRate, maxAdults, maxChildren], i) => {
    const last = i === CATEGORY_TEMPLATES.length - 1;
    const count = last ? rooms - assigned : Math.max(1, Math.round(rooms * share));
    if (count <= 0 || assigned + count > rooms) return;
    categories.push({ id: i + 1, name, baseRate, maxAdults, maxChildren });
    counts.push(count);
    assigned += count;
  });
  // Very small hotels can run out before the last template: give the remainder to the first category.
  if (assigned < rooms && counts.length > 0) counts[0] = (counts[0] ?? 0) + rooms - assigned;
  return { categories, counts };
}

function makeSites(rng: Rng, rooms: number, counts: number[], categories: Category[], today: string): Site[] {
  const perFloor = rooms <= 60 ? 12 : rooms <= 300 ? 30 : 50;
  const sites: Site[] = [];
  let n = 0;
  counts.forEach((count, ci) => {
    const category = categories[ci];
    if (!category) return;
    for (let k = 0; k < count; k++, n++) {
      const floor = 1 + Math.floor(n / perFloor);
      const status = weighted<SiteStatus>(rng, [
        ["Clean", 55],
        ["Dirty", 25],
        ["Inspected", 15],
        ["Unknown", 5],
      ]);
      const maintenance: Site["maintenance"] = [];
      if (chance(rng, 0.015)) {
        const from = addDays(today, randInt(rng, -10, 60));
        maintenance.push({ from, to: addDays(from, randInt(rng, 1, 5)) });
      }
      sites.push({
        id: n + 1,
        name: String(floor * 100 + (n % perFloor) + 1),
        categoryId: category.id,
        status,
        maintenance,
      });
    }
  });
  return sites;
}

/** Seconds since midnight, between the two hours. */
function secondsOfDay(rng: Rng, fromHour: number, toHour: number): number {
  return randInt(rng, fromHour * 3600, toHour * 3600 + 3599);
}

function formatTime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor(seconds / 60) % 60;
  const s = seconds % 60;
  return `${h < 10 ? "0" : ""}${h}:${m < 10 ? "0" : ""}${m}:${s < 10 ? "0" : ""}${s}`;
}

function tariffFor(meals: MealPlan, group: boolean): string {
  const base = meals === "bb" ? "Bed & Breakfast" : meals === "dbb" ? "Dinner, Bed & Breakfast" : "Room Only";
  return group ? `Group - ${base}` : `Best Available - ${base}`;
}

/** Day indices relative to today (0 = today). */
function statusFor(rng: Rng, arrival: number, departure: number, today: number): BookingStatus {
  if (departure < today) return "departed";
  if (departure === today) return chance(rng, 0.6) ? "departed" : "arrived";
  if (arrival < today) return "arrived";
  if (arrival === today) return chance(rng, 0.4) ? "arrived" : "confirmed";
  return chance(rng, 0.08) ? "unconfirmed" : "confirmed";
}

interface Draft {
  /** Day indices from the start of the book. */
  arrival: number;
  departure: number;
  category: Category;
  siteId: number | null;
  groupId: number | null;
  status?: BookingStatus;
}

/** Pure: same options -> identical property. */
export function generateProperty(options: GenerateOptions): PropertyData {
  const { seed, index, rooms, timezone, today } = options;
  const rng = mulberry32(hashSeed(seed, index, 0x5eed));
  const { region, taxRate } = regionFor(timezone);
  const { categories, counts } = categoriesFor(rooms);
  const sites = makeSites(rng, rooms, counts, categories, today);
  const glAccounts: GlAccount[] = GL_TEMPLATES.map((g, i) => ({ ...g, id: 100 + i }));
  const categoryById = new Map(categories.map((c) => [c.id, c]));

  const start = addDays(today, -(HISTORY_DAYS + LEAD_IN_DAYS));
  const span = daysBetween(start, addDays(today, FUTURE_DAYS)) + 1;
  // One byte per room-night: 0 free, 1 booked, 2 maintenance. Guarantees no double-booking.
  const grid = sites.map((site) => {
    const row = new Uint8Array(span);
    for (const m of site.maintenance) {
      for (let d = daysBetween(start, m.from); d <= daysBetween(start, m.to); d++)
        if (d >= 0 && d < span) row[d] = 2;
    }
    return row;
  });
  const isFree = (siteIndex: number, from: number, len: number): boolean => {
    const row = grid[siteIndex];
    if (!row) return false;
    for (let d = from; d < from + len; d++) if (d >= span || row[d] !== 0) return false;
    return true;
  };
  const reserve = (siteIndex: number, from: number, len: number): void => {
    const row = grid[siteIndex];
    if (row) row.fill(1, from, Math.min(span, from + len));
  };
  // Day strings by offset from start (placement dates reach back a year), precomputed because every
  // booking needs several and date formatting dominated generation time.
  const BACK = 400;
  const dayStrings = Array.from({ length: span + BACK + 32 }, (_, i) => addDays(start, i - BACK));
  const dayAt = (i: number): string => dayStrings[i + BACK] ?? addDays(start, i);
  const drafts: Draft[] = [];
  const todayIndex = daysBetween(start, today);

  // Groups first, so they find blocks of free rooms side by side.
  let nextGroupId = 1 + index * 10_000;
  const groupCount = Math.round((span / 7) * Math.max(0.5, rooms / 60));
  for (let g = 0; g < groupCount; g++) {
    const from = randInt(rng, 0, span - 5);
    const len = randInt(rng, 1, 4);
    const ci = randInt(rng, 0, categories.length - 1);
    const category = categories[ci];
    if (!category) continue;
    const wanted = randInt(rng, 2, Math.max(2, Math.min(8, Math.floor(rooms / 5))));
    const free: number[] = [];
    for (let si = 0; si < sites.length && free.length < wanted; si++) {
      if (sites[si]?.categoryId === category.id && isFree(si, from, len)) free.push(si);
    }
    if (free.length < 2) continue;
    const groupId = nextGroupId++;
    for (const si of free) {
      reserve(si, from, len);
      drafts.push({
        arrival: from,
        departure: from + len,
        category,
        siteId: sites[si]?.id ?? null,
        groupId,
      });
    }
  }

  // Then each room's calendar: alternate gaps and stays to reach the property's target occupancy.
  const occupancy = 0.6 + rng() * 0.3;
  const gapMean = (MEAN_STAY * (1 - occupancy)) / occupancy;
  sites.forEach((site, si) => {
    const category = categoryById.get(site.categoryId);
    const row = grid[si];
    if (!category || !row) return;
    let d = randInt(rng, 0, 3);
    while (d < span) {
      if (row[d] !== 0) {
        d++;
        continue;
      }
      d += Math.floor(-Math.log(1 - rng()) * gapMean);
      if (d >= span) break;
      let len = weighted(rng, STAY_LENGTHS);
      for (let k = 1; k < len; k++) {
        if (d + k >= span || row[d + k] !== 0) {
          len = k;
          break;
        }
      }
      if (row[d] !== 0) continue;
      // Far-future nights are only partly sold yet: the booking pace thins out with lead time.
      const lead = d - todayIndex;
      const keep = lead <= 30 ? 1 : Math.max(0.15, 1 - (lead - 30) / 420);
      if (chance(rng, keep)) {
        row.fill(1, d, d + len);
        drafts.push({
          arrival: d,
          departure: d + len,
          category,
          siteId: site.id,
          groupId: null,
        });
      }
      d += len;
    }
  });

  // Cancellations: were allocated once, then released (so they never block a room).
  const cancelled = Math.round(drafts.length * 0.06);
  for (let k = 0; k < cancelled; k++) {
    const site = pick(rng, sites);
    const category = categoryById.get(site.categoryId);
    if (!category) continue;
    const from = randInt(rng, 0, span - 2);
    const len = weighted(rng, STAY_LENGTHS);
    drafts.push({
      arrival: from,
      departure: from + len,
      category,
      siteId: site.id,
      groupId: null,
      status: "cancelled",
    });
  }
  // Quotes and waitlisted enquiries: unallocated and never staying.
  const enquiries = Math.max(2, Math.round(rooms / 20));
  for (let k = 0; k < enquiries; k++) {
    const category = pick(rng, categories);
    const from = randInt(rng, todayIndex + 1, span - 15);
    drafts.push({
      arrival: from,
      departure: from + weighted(rng, STAY_LENGTHS),
      category,
      siteId: null,
      groupId: null,
      status: k % 2 === 0 ? "quote" : "waitlist",
    });
  }

  const placedKeys = new Float64Array(drafts.length);
  const bookings: Booking[] = drafts.map((draft, n) => {
    const group = draft.groupId !== null;
    let status = draft.status ?? statusFor(rng, draft.arrival - todayIndex, draft.departure - todayIndex, 0);
    if (status === "departed" && !group && chance(rng, 0.02)) status = "no_show";
    const leadDays = Math.min(BACK, Math.floor(-Math.log(1 - rng()) * 35));
    const latestPlaced = todayIndex - 1 - randInt(rng, 0, 2);
    const placedDay = Math.min(draft.arrival - leadDays, latestPlaced);
    const placedSecs = secondsOfDay(rng, 7, 22);
    placedKeys[n] = placedDay * 86_400 + placedSecs;
    const placed = `${dayAt(placedDay)} ${formatTime(placedSecs)}`;
    let modified = placed;
    if (chance(rng, 0.3)) {
      const candidate = `${dayAt(randInt(rng, placedDay, latestPlaced))} ${formatTime(secondsOfDay(rng, 7, 22))}`;
      if (candidate > placed) modified = candidate;
    }
    let cancelledAt: string | null = null;
    if (status === "cancelled") {
      const until = Math.max(placedDay, Math.min(latestPlaced, draft.arrival));
      const candidate = `${dayAt(randInt(rng, placedDay, until))} ${formatTime(secondsOfDay(rng, 7, 22))}`;
      cancelledAt = candidate > placed ? candidate : placed;
      if (cancelledAt > modified) modified = cancelledAt;
    }
    const category = draft.category;
    const family = category.maxChildren >= 2;
    const adults = family ? 2 : chance(rng, 0.72) ? 2 : 1;
    const children = family
      ? randInt(rng, 0, category.maxChildren)
      : category.maxChildren > 0 && chance(rng, 0.1)
        ? 1
        : 0;
    const infants = chance(rng, family ? 0.25 : 0.03) ? 1 : 0;
    const meals = weighted<MealPlan>(rng, group ? GROUP_MEALS : INDIVIDUAL_MEALS);
    let siteId = draft.siteId;
    // A few future stays are not yet allocated to a room.
    if (siteId !== null && !group && draft.arrival > todayIndex + 2 && chance(rng, 0.03)) siteId = null;
    // Drawn from the main stream only to keep every later draw (and so every seed's data) as it was.
    secondsOfDay(rng, 12, 21);
    const guestSeed = hashSeed(seed, index, n);
    const arrivalDate = dayAt(draft.arrival);
    const eta = etaFor(guestSeed, CHECK_IN_TIME);
    const arrived = status === "arrived" || status === "departed";
    return {
      id: n,
      reference: "",
      groupId: draft.groupId,
      placed,
      cancelled: cancelledAt,
      modified,
      arrivalDate,
      departureDate: dayAt(draft.departure),
      eta,
      checkedIn: arrived ? checkedInFor(guestSeed, arrivalDate, eta) : null,
      status,
      adults,
      children,
      infants,
      categoryId: category.id,
      siteId,
      meals,
      rate: Math.round(category.baseRate * (0.85 + rng() * 0.3) * (group ? 0.9 : 1)),
      tariffName: tariffFor(meals, group),
      parking: chance(rng, 0.08),
      guestSeed,
    };
  });

  // Ids grow with placement time, as in a real PMS (numeric keys: sorting 80k string keys was slow).
  bookings.sort((a, b) => (placedKeys[a.id] ?? 0) - (placedKeys[b.id] ?? 0) || a.id - b.id);
  const firstId = 1 + index * 1_000_000;
  bookings.forEach((b, i) => {
    b.id = firstId + i;
    b.reference = `NB${String(b.id).padStart(8, "0")}`;
  });

  const name = `${pick(rng, NAME_FIRST)} ${pick(rng, NAME_SECOND)}${index > 0 ? ` ${index + 1}` : ""}`;
  return {
    id: `p${index + 1}`,
    index,
    name,
    timezone,
    region,
    username: `sim_hotel${index + 1}`,
    password: randHex(rng, 16),
    apiKey: `instances_${randHex(rng, 32)}`,
    today,
    todayPinned: options.todayPinned ?? false,
    taxRate,
    checkInTime: CHECK_IN_TIME,
    checkOutTime: "10:00:00",
    categories,
    sites,
    glAccounts,
    bookings,
    nextBookingId: firstId + bookings.length,
    nextGroupId,
  };
}
