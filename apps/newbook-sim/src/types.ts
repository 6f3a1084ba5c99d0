/** Internal (typed) model of a simulated property. The wire form (strings, casing) is built in serialize.ts. */

export const BOOKING_STATUSES = [
  "confirmed",
  "unconfirmed",
  "arrived",
  "departed",
  "cancelled",
  "no_show",
  "quote",
  "waitlist",
  "owner_occupied",
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const MEAL_PLANS = ["none", "bb", "dbb"] as const;
export type MealPlan = (typeof MEAL_PLANS)[number];

export interface Category {
  id: number;
  name: string;
  baseRate: number;
  maxAdults: number;
  maxChildren: number;
}

export const SITE_STATUSES = ["Clean", "Dirty", "Inspected", "Unknown"] as const;
export type SiteStatus = (typeof SITE_STATUSES)[number];

export interface Site {
  id: number;
  name: string;
  categoryId: number;
  status: SiteStatus;
  /** Out-of-order nights (inclusive local dates); no booking is generated over them. */
  maintenance: { from: string; to: string }[];
}

export type GlRole = "accommodation" | "breakfast" | "dinner" | "bar" | "restaurant" | "parking" | "other";

export interface GlAccount {
  id: number;
  code: string;
  name: string;
  groupId: number;
  groupName: string;
  active: boolean;
  role: GlRole;
}

export interface Guest {
  firstname: string;
  lastname: string;
  primary: boolean;
  email: string;
  phone: string;
}

export interface Booking {
  id: number;
  reference: string;
  groupId: number | null;
  /** Local datetimes "YYYY-MM-DD HH:MM:SS". */
  placed: string;
  cancelled: string | null;
  /** Local datetime of the last change: `booking_modified` on the wire; drives list_type "all". */
  modified: string;
  /** Local dates; times come from the property's check-in/check-out times. */
  arrivalDate: string;
  departureDate: string;
  /** Time only ("HH:MM:SS") or null: guests often give none. */
  eta: string | null;
  /** Local datetime the guest checked in, or null (not arrived yet). */
  checkedIn: string | null;
  status: BookingStatus;
  adults: number;
  children: number;
  infants: number;
  categoryId: number;
  /** null = not yet allocated to a room. */
  siteId: number | null;
  meals: MealPlan;
  /** Weekday nightly rate; weekend nights are dearer. */
  rate: number;
  tariffName: string;
  parking: boolean;
  /** Guests are derived from this seed (see guests.ts). */
  guestSeed: number;
}

export interface PropertyData {
  id: string;
  index: number;
  name: string;
  timezone: string;
  region: string;
  username: string;
  password: string;
  apiKey: string;
  /** The property-local "today" the book was generated around. */
  today: string;
  /** Whether `today` was pinned by an option (then mutations stamp that date, not the real one). */
  todayPinned: boolean;
  taxRate: number;
  checkInTime: string;
  checkOutTime: string;
  categories: Category[];
  sites: Site[];
  glAccounts: GlAccount[];
  /** Always sorted by id ascending: paging order is stable. */
  bookings: Booking[];
  nextBookingId: number;
  nextGroupId: number;
}

export interface InventoryItem {
  stayDate: string;
  description: string;
  itemName: string;
  amount: number;
  glAccountId: number;
  glAccountCode: string;
}

export interface TariffQuoted {
  stayDate: string;
  label: string;
  calculatedAmount: number;
  originalAmount: number;
}

/** Statuses that hold a room (and count as staying). */
export const OCCUPYING_STATUSES: ReadonlySet<BookingStatus> = new Set([
  "confirmed",
  "unconfirmed",
  "arrived",
  "departed",
]);

/** Statuses that keep a room blocked against double-booking. No-shows held the room, so they block too. */
export const BLOCKING_STATUSES: ReadonlySet<BookingStatus> = new Set([
  "confirmed",
  "unconfirmed",
  "arrived",
  "departed",
  "no_show",
  "owner_occupied",
]);

/** What a client of the simulator needs to know of a property: who it is and how to log in. */
export interface SimProperty {
  id: string;
  name: string;
  timezone: string;
  rooms: number;
  username: string;
  password: string;
  apiKey: string;
  region: string;
}

export function simProperty(p: PropertyData): SimProperty {
  return {
    id: p.id,
    name: p.name,
    timezone: p.timezone,
    rooms: p.sites.length,
    username: p.username,
    password: p.password,
    apiKey: p.apiKey,
    region: p.region,
  };
}
