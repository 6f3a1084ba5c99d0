import { guestsFor } from "./guests";
import { groupNameFor, guestExtrasFor, notesFor } from "./kitchen-extras";
import { inventoryItems, round2, tariffsQuoted } from "./pricing";
import { arrivalOf, type CategoryOccupancy, departureOf, type EarnedRevenueRow } from "./queries";
import type { StatusCasing, Switches } from "./switches";
import type { Booking, BookingStatus, GlAccount, PropertyData, Site } from "./types";

/** JSON as Newbook sends it: every scalar a string unless the numeric switch is on. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const TITLE: Record<BookingStatus, string> = {
  confirmed: "Confirmed",
  unconfirmed: "Unconfirmed",
  arrived: "Arrived",
  departed: "Departed",
  cancelled: "Cancelled",
  no_show: "No-Show",
  quote: "Quote",
  waitlist: "Waitlist",
  owner_occupied: "Owner Occupied",
};

export function formatStatus(status: BookingStatus, casing: StatusCasing): string {
  const title = TITLE[status];
  switch (casing) {
    case "title":
      return title;
    case "upper":
      return title.toUpperCase();
    case "lower":
      return title.toLowerCase();
    case "snake":
      return title.toLowerCase().replace(/[- ]/g, "_");
    case "upper_snake":
      return title.toUpperCase().replace(/[- ]/g, "_");
  }
}

/** Accepts any casing/separator ("No-Show", "NO_SHOW", "no show") -> canonical status. */
export function parseStatus(value: string): BookingStatus | null {
  const key = value
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, "_");
  return (Object.keys(TITLE) as BookingStatus[]).find((s) => s === key) ?? null;
}

export class Scalars {
  constructor(private readonly numeric: boolean) {}

  int(n: number): string | number {
    return this.numeric ? n : String(n);
  }

  money(n: number): string | number {
    return this.numeric ? n : n.toFixed(2);
  }

  optionalInt(n: number | null): string | number | null {
    return n === null ? null : this.int(n);
  }

  flag(b: boolean): string | number {
    return this.numeric ? (b ? 1 : 0) : b ? "1" : "0";
  }
}

export function bookingToWire(b: Booking, p: PropertyData, sw: Switches): JsonObject {
  const s = new Scalars(sw.numeric_scalars);
  const category = p.categories.find((c) => c.id === b.categoryId);
  const site = b.siteId === null ? undefined : p.sites.find((x) => x.id === b.siteId);
  const tariffs = tariffsQuoted(b);
  const items = inventoryItems(b, p);
  const total =
    tariffs.reduce((sum, t) => sum + t.calculatedAmount, 0) + items.reduce((sum, i) => sum + i.amount, 0);
  const guests = guestsFor(b.guestSeed, b.adults, b.children);
  const extras = guestExtrasFor(b.guestSeed, guests.length, b.placed);
  const eta = b.eta === null ? null : sw.booking_eta_form === "time" ? b.eta : `${b.arrivalDate} ${b.eta}`;
  return {
    booking_id: s.int(b.id),
    booking_reference_id: b.reference,
    bookings_group_id: s.optionalInt(b.groupId),
    bookings_group_name: b.groupId === null ? null : groupNameFor(b.groupId),
    booking_placed: b.placed,
    booking_cancelled: b.cancelled,
    ...(sw.booking_modified ? { booking_modified: b.modified } : {}),
    booking_arrival: arrivalOf(b, p),
    booking_departure: departureOf(b, p),
    booking_length: s.int(tariffs.length),
    booking_eta: eta,
    booking_checkedin: b.checkedIn,
    booking_status: formatStatus(b.status, sw.status_casing),
    booking_adults: s.int(b.adults),
    booking_children: s.int(b.children),
    booking_infants: s.int(b.infants),
    category_id: s.int(b.categoryId),
    category_name: category?.name ?? "",
    site_id: site ? s.int(site.id) : null,
    site_name: site ? site.name : null,
    tariff_name: b.tariffName,
    booking_total: s.money(round2(total)),
    guests: guests.map((g, i) => ({
      firstname: g.firstname,
      lastname: g.lastname,
      primary_client: s.flag(g.primary),
      dietary_requirements: extras[i]?.dietaryRequirements ?? [],
      vip_when: extras[i]?.vipWhen ?? null,
      contact_details: [
        { type: "email", content: g.email },
        { type: "phone", content: g.phone },
      ],
    })),
    notes: notesFor(b.guestSeed).map((n) => ({ type_id: s.int(n.typeId), content: n.content })),
    inventory_items: items.map((i) => ({
      stay_date: i.stayDate,
      description: i.description,
      item_name: i.itemName,
      amount: s.money(i.amount),
      gl_account_id: s.int(i.glAccountId),
      gl_account_code: i.glAccountCode,
    })),
    tariffs_quoted: tariffs.map((t) => ({
      stay_date: t.stayDate,
      label: t.label,
      calculated_amount: s.money(t.calculatedAmount),
      original_amount: s.money(t.originalAmount),
    })),
  };
}

export function siteToWire(site: Site, p: PropertyData, sw: Switches): JsonObject {
  const s = new Scalars(sw.numeric_scalars);
  return {
    site_id: s.int(site.id),
    site_name: site.name,
    category_id: s.int(site.categoryId),
    category_name: p.categories.find((c) => c.id === site.categoryId)?.name ?? "",
    site_status: site.status,
  };
}

export function glAccountToWire(g: GlAccount, sw: Switches): JsonObject {
  const s = new Scalars(sw.numeric_scalars);
  return {
    gl_account_id: s.int(g.id),
    gl_account_code: g.code,
    gl_account_name: g.name,
    gl_group_id: s.int(g.groupId),
    gl_group_name: g.groupName,
    active: s.flag(g.active),
  };
}

export function occupancyToWire(rows: CategoryOccupancy[], sw: Switches): JsonObject[] {
  const s = new Scalars(sw.numeric_scalars);
  return rows.map((row) => {
    const occupancy: JsonObject = {};
    for (const d of row.days) {
      occupancy[d.date] = {
        date: d.date,
        available: s.int(d.available),
        occupied: s.int(d.occupied),
        maintenance: s.int(d.maintenance),
        allotted: s.int(d.allotted),
        revenue_gross: s.money(d.revenueGross),
        revenue_net: s.money(d.revenueNet),
      };
    }
    return { category_id: s.int(row.categoryId), category_name: row.categoryName, occupancy };
  });
}

export function earnedRevenueToWire(rows: EarnedRevenueRow[], sw: Switches): JsonObject[] {
  const s = new Scalars(sw.numeric_scalars);
  return rows.map((r) => {
    const out: JsonObject = {
      gl_account_id: s.int(r.glAccountId),
      gl_account_code: r.glAccountCode,
      gl_account_description: r.glAccountDescription,
      earned_revenue: s.money(r.gross),
      earned_revenue_ex: s.money(r.net),
      earned_revenue_tax: s.money(r.tax),
    };
    if (r.period !== undefined) out.period = r.period;
    return out;
  });
}
