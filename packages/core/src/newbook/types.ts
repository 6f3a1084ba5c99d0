import { z } from "zod";
import {
  checkedInField,
  dietaryField,
  etaField,
  groupNameField,
  notesField,
  vipField,
} from "./kitchen-fields";

/** Newbook sends most scalars as strings, sometimes as numbers; both read as one type here. */
export const looseString = z.union([z.string(), z.number()]).transform((v) => String(v));
export const looseInt = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (v === "") return 0;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: "custom", message: `not a number: ${String(v)}` });
    return z.NEVER;
  }
  return Math.trunc(n);
});
const optionalLooseString = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined || v === "" ? null : String(v)));

/** A property-local "YYYY-MM-DD HH:MM:SS", the one form that orders as text. */
export const isFullDateTime = (value: unknown): value is string =>
  typeof value === "string" && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value);

/** "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DDTHH:MM:SS" or "YYYY-MM-DD", property-local. */
export const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$/, "not a Newbook date");

// A bookings_list page is 1000 bookings with many fields, guests and nightly items we never read: plain
// (stripping) objects skip copying those, which halves the validation time of a page.
export const rawInventoryItemSchema = z.object({
  stay_date: z.string().regex(/^\d{4}-\d{2}-\d{2}/),
  description: optionalLooseString,
  item_name: optionalLooseString,
  amount: optionalLooseString,
  gl_account_id: optionalLooseString,
  gl_account_code: optionalLooseString,
});

export const rawGuestSchema = z.object({
  firstname: optionalLooseString,
  lastname: optionalLooseString,
  primary_client: optionalLooseString,
  dietary_requirements: dietaryField,
  vip_when: vipField,
});

export const rawBookingSchema = z.object({
  booking_id: looseString,
  bookings_group_id: optionalLooseString,
  bookings_group_name: groupNameField,
  booking_status: z.string(),
  booking_eta: etaField,
  booking_checkedin: checkedInField,
  booking_arrival: localDateTime,
  booking_departure: localDateTime,
  // Only the change feed's anchor (see sync/change-feed.ts); a value of another form is not used, never
  // an error.
  booking_modified: z
    .unknown()
    .optional()
    .transform((value) => (isFullDateTime(value) ? value : null)),
  booking_adults: looseInt.optional().default(0),
  booking_children: looseInt.optional().default(0),
  booking_infants: looseInt.optional().default(0),
  site_id: optionalLooseString,
  site_name: optionalLooseString,
  category_id: optionalLooseString,
  category_name: optionalLooseString,
  guests: z.array(rawGuestSchema).optional().default([]),
  inventory_items: z.array(rawInventoryItemSchema).optional().default([]),
  notes: notesField,
});
export type RawBooking = z.output<typeof rawBookingSchema>;

/** Statuses normalised to one spelling: casing and separators vary between Newbook accounts. */
export type BookingStatusKey =
  | "confirmed"
  | "unconfirmed"
  | "arrived"
  | "departed"
  | "cancelled"
  | "noshow"
  | "quote"
  | "waitlist"
  | "owneroccupied"
  | "other";

export function normaliseStatus(status: string): BookingStatusKey {
  const key = status.toLowerCase().replace(/[^a-z]/g, "");
  if (key === "canceled") return "cancelled";
  const known: BookingStatusKey[] = [
    "confirmed",
    "unconfirmed",
    "arrived",
    "departed",
    "cancelled",
    "noshow",
    "quote",
    "waitlist",
    "owneroccupied",
  ];
  return (known as string[]).includes(key) ? (key as BookingStatusKey) : "other";
}

/** Statuses that never occupy a room or eat a meal. */
export const NON_STAYING_STATUSES: ReadonlySet<BookingStatusKey> = new Set([
  "cancelled",
  "noshow",
  "quote",
  "waitlist",
  "owneroccupied",
]);

export interface BookingItem {
  stayDate: string;
  glAccountId: string | null;
  name: string;
}

/** A named guest as the kitchen sees them (personal data: see the README's retention section). */
export interface KitchenGuest {
  name: string;
  dietary: string[];
  vip: boolean;
}

/** A booking as the sync engine sees it: dates are property-local YYYY-MM-DD. */
export interface NewbookBooking {
  bookingId: string;
  groupId: string | null;
  status: string;
  statusKey: BookingStatusKey;
  arrivalDate: string;
  departureDate: string;
  arrivalAt: string;
  departureAt: string;
  adults: number;
  children: number;
  infants: number;
  siteId: string | null;
  siteName: string | null;
  categoryId: string | null;
  categoryName: string | null;
  guestName: string | null;
  items: BookingItem[];
  groupName: string | null;
  /** Expected arrival "HH:MM" (property-local), or null when the guest gave none. */
  eta: string | null;
  /** Property-local "YYYY-MM-DD HH:MM:SS" the guest checked in, or null. */
  checkedInAt: string | null;
  /** Newbook's `booking_modified` ("YYYY-MM-DD HH:MM:SS", Newbook's clock), null when absent. Not stored. */
  modifiedAt: string | null;
  guests: KitchenGuest[];
  /** Kitchen-relevant notes only. */
  notes: string[];
}

export function normaliseBooking(raw: RawBooking): NewbookBooking {
  const primary = raw.guests.find((g) => g.primary_client === "1") ?? raw.guests[0];
  const guestName = primary ? [primary.firstname, primary.lastname].filter(Boolean).join(" ") || null : null;
  return {
    bookingId: raw.booking_id,
    groupId: raw.bookings_group_id === "0" ? null : raw.bookings_group_id,
    status: raw.booking_status,
    statusKey: normaliseStatus(raw.booking_status),
    arrivalDate: raw.booking_arrival.slice(0, 10),
    departureDate: raw.booking_departure.slice(0, 10),
    arrivalAt: raw.booking_arrival,
    departureAt: raw.booking_departure,
    adults: raw.booking_adults,
    children: raw.booking_children,
    infants: raw.booking_infants,
    siteId: raw.site_id === "0" ? null : raw.site_id,
    siteName: raw.site_name,
    categoryId: raw.category_id,
    categoryName: raw.category_name,
    guestName,
    items: raw.inventory_items.map((item) => ({
      stayDate: item.stay_date.slice(0, 10),
      glAccountId: item.gl_account_id,
      name: [item.item_name, item.description].filter(Boolean).join(" "),
    })),
    groupName: raw.bookings_group_name,
    eta: raw.booking_eta,
    checkedInAt: raw.booking_checkedin,
    modifiedAt: raw.booking_modified,
    guests: raw.guests.flatMap((g) => {
      const name = [g.firstname, g.lastname].filter(Boolean).join(" ").replace(/\s+/g, " ").trim();
      // A guest without a name still matters to the kitchen when they have needs.
      if (name === "" && g.dietary_requirements.length === 0 && !g.vip_when) return [];
      return [{ name, dietary: g.dietary_requirements, vip: g.vip_when }];
    }),
    notes: raw.notes,
  };
}

export const rawSiteSchema = z.looseObject({
  site_id: looseString,
  site_name: optionalLooseString,
  category_id: optionalLooseString,
  category_name: optionalLooseString,
  site_status: optionalLooseString,
});
export interface NewbookSite {
  siteId: string;
  siteName: string | null;
  categoryId: string | null;
  categoryName: string | null;
  status: string | null;
}

export const rawGlAccountSchema = z.looseObject({
  gl_account_id: looseString,
  gl_account_code: optionalLooseString,
  gl_account_name: optionalLooseString,
  gl_group_id: optionalLooseString,
  gl_group_name: optionalLooseString,
  active: optionalLooseString,
});
export interface NewbookGlAccount {
  id: string;
  code: string | null;
  name: string | null;
  groupName: string | null;
  active: boolean;
}

export const rawEarnedRevenueSchema = z.looseObject({
  gl_account_id: looseString,
  gl_account_code: optionalLooseString,
  gl_account_description: optionalLooseString,
  earned_revenue: looseString,
  earned_revenue_ex: optionalLooseString,
  earned_revenue_tax: optionalLooseString,
  period: optionalLooseString,
});
export interface EarnedRevenueRow {
  glAccountId: string;
  glAccountCode: string | null;
  description: string | null;
  gross: string;
  net: string;
  tax: string;
  /** Day (YYYY-MM-DD) when requested with period_increment "day". */
  period: string | null;
}

export const rawOccupancyCategorySchema = z.looseObject({
  category_id: looseString,
  category_name: optionalLooseString,
  occupancy: z.record(
    z.string(),
    z.looseObject({ available: looseInt.optional().default(0), occupied: looseInt.optional().default(0) }),
  ),
});
export interface OccupancyReportDay {
  date: string;
  available: number;
  occupied: number;
}

export interface OccupancyReportCategory {
  categoryId: string;
  categoryName: string | null;
  /** Sorted by date. */
  days: OccupancyReportDay[];
}

export function normaliseSite(raw: z.output<typeof rawSiteSchema>): NewbookSite {
  return {
    siteId: raw.site_id,
    siteName: raw.site_name,
    categoryId: raw.category_id,
    categoryName: raw.category_name,
    status: raw.site_status,
  };
}

/** Newbook flags are "1"/"0" (sometimes "true"/"false"); an account without the flag counts as active. */
function flag(value: string | null): boolean {
  return value === null || !/^(0|false|no|n)$/i.test(value.trim());
}

export function normaliseGlAccount(raw: z.output<typeof rawGlAccountSchema>): NewbookGlAccount {
  return {
    id: raw.gl_account_id,
    code: raw.gl_account_code,
    name: raw.gl_account_name,
    groupName: raw.gl_group_name,
    active: flag(raw.active),
  };
}

export function normaliseEarnedRevenue(raw: z.output<typeof rawEarnedRevenueSchema>): EarnedRevenueRow {
  return {
    glAccountId: raw.gl_account_id,
    glAccountCode: raw.gl_account_code,
    description: raw.gl_account_description,
    gross: raw.earned_revenue,
    net: raw.earned_revenue_ex ?? raw.earned_revenue,
    tax: raw.earned_revenue_tax ?? "0",
    period: raw.period === null ? null : raw.period.slice(0, 10),
  };
}

export function normaliseOccupancyCategory(
  raw: z.output<typeof rawOccupancyCategorySchema>,
): OccupancyReportCategory {
  return {
    categoryId: raw.category_id,
    categoryName: raw.category_name,
    days: Object.entries(raw.occupancy)
      .map(([date, day]) => ({ date: date.slice(0, 10), available: day.available, occupied: day.occupied }))
      .sort((a, b) => a.date.localeCompare(b.date)),
  };
}
