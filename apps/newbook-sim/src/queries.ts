import { dateOf, eachDate } from "./dates";
import { glByRole, inventoryItems, nightlyAmount, nights, round2 } from "./pricing";
import { type Booking, OCCUPYING_STATUSES, type PropertyData } from "./types";

export const LIST_TYPES = [
  "staying",
  "arrived",
  "arriving",
  "departed",
  "departing",
  "placed",
  "cancelled",
  "no_show",
  "all",
] as const;
export type ListType = (typeof LIST_TYPES)[number];

export function isListType(value: string): value is ListType {
  return (LIST_TYPES as readonly string[]).includes(value);
}

export interface Period {
  /** Normalised local datetimes "YYYY-MM-DD HH:MM:SS" (a bare date = midnight). */
  from: string;
  to: string;
}

export function arrivalOf(b: Booking, p: PropertyData): string {
  return `${b.arrivalDate} ${p.checkInTime}`;
}

export function departureOf(b: Booking, p: PropertyData): string {
  return `${b.departureDate} ${p.checkOutTime}`;
}

/**
 * Compares a booking's date + fixed time with a normalised datetime without building the combined string:
 * list filtering runs over every booking of a 1000-room hotel on each request. Returns <0, 0 or >0.
 */
function cmp(date: string, time: string, datetime: string): number {
  const d = datetime.slice(0, 10);
  if (date !== d) return date < d ? -1 : 1;
  const t = datetime.slice(11);
  return time === t ? 0 : time < t ? -1 : 1;
}

const inPeriod = (value: string, period: Period): boolean => value >= period.from && value <= period.to;

const arrivalIn = (b: Booking, p: PropertyData, period: Period): boolean =>
  cmp(b.arrivalDate, p.checkInTime, period.from) >= 0 && cmp(b.arrivalDate, p.checkInTime, period.to) <= 0;

const departureIn = (b: Booking, p: PropertyData, period: Period): boolean =>
  cmp(b.departureDate, p.checkOutTime, period.from) >= 0 &&
  cmp(b.departureDate, p.checkOutTime, period.to) <= 0;

/**
 * The selection rule per list_type. Staying is strict on both ends (a stay that ends exactly at
 * period_from, or starts exactly at period_to, does not overlap); the "falls in the period" types are
 * inclusive on both ends.
 */
export function matches(
  b: Booking,
  p: PropertyData,
  listType: ListType,
  period: Period,
  projected = false,
): boolean {
  switch (listType) {
    case "staying":
      return (
        OCCUPYING_STATUSES.has(b.status) &&
        cmp(b.arrivalDate, p.checkInTime, period.to) < 0 &&
        cmp(b.departureDate, p.checkOutTime, period.from) > 0
      );
    case "arriving":
      if (projected)
        return (b.status === "confirmed" || b.status === "unconfirmed") && arrivalIn(b, p, period);
      return OCCUPYING_STATUSES.has(b.status) && arrivalIn(b, p, period);
    case "arrived":
      return (b.status === "arrived" || b.status === "departed") && arrivalIn(b, p, period);
    case "departing":
      return OCCUPYING_STATUSES.has(b.status) && departureIn(b, p, period);
    case "departed":
      return b.status === "departed" && departureIn(b, p, period);
    case "placed":
      return inPeriod(b.placed, period);
    case "cancelled":
      return b.status === "cancelled" && b.cancelled !== null && inPeriod(b.cancelled, period);
    case "no_show":
      return b.status === "no_show" && arrivalIn(b, p, period);
    case "all":
      return inPeriod(b.placed, period) || inPeriod(b.modified, period);
  }
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface Page<T> {
  rows: T[];
  total: number;
}

export function listBookings(
  p: PropertyData,
  listType: ListType,
  period: Period,
  offset: number,
  limit: number,
  projected = false,
): Page<Booking> {
  // p.bookings is kept sorted by id, so the filtered order is stable across pages.
  const all = p.bookings.filter((b) => matches(b, p, listType, period, projected));
  const clamped = Math.min(Math.max(1, limit), MAX_LIMIT);
  return { rows: all.slice(offset, offset + clamped), total: all.length };
}

export interface OccupancyDay {
  date: string;
  available: number;
  occupied: number;
  maintenance: number;
  allotted: number;
  revenueGross: number;
  revenueNet: number;
}

export interface CategoryOccupancy {
  categoryId: number;
  categoryName: string;
  days: OccupancyDay[];
}

/** Nights counted per date: a booking occupies the nights from its arrival date up to (excluding) departure. */
export function occupancyReport(p: PropertyData, fromDate: string, toDate: string): CategoryOccupancy[] {
  const dates = eachDate(fromDate, toDate);
  const index = new Map(dates.map((d, i) => [d, i]));
  return p.categories.map((category) => {
    const sites = p.sites.filter((s) => s.categoryId === category.id);
    const days: OccupancyDay[] = dates.map((date) => {
      const maintenance = sites.filter((s) =>
        s.maintenance.some((m) => date >= m.from && date <= m.to),
      ).length;
      return {
        date,
        available: sites.length - maintenance,
        occupied: 0,
        maintenance,
        allotted: 0,
        revenueGross: 0,
        revenueNet: 0,
      };
    });
    for (const b of p.bookings) {
      if (b.categoryId !== category.id || b.departureDate <= fromDate || b.arrivalDate > toDate) continue;
      const occupying = OCCUPYING_STATUSES.has(b.status);
      // Quotes and waitlist entries hold inventory without occupying it: report them as allotted.
      const allotted = b.status === "quote" || b.status === "waitlist";
      if (!occupying && !allotted) continue;
      for (const night of nights(b)) {
        const i = index.get(night);
        const day = i === undefined ? undefined : days[i];
        if (!day) continue;
        if (allotted) {
          day.allotted++;
          continue;
        }
        day.occupied++;
        day.revenueGross += nightlyAmount(b, night);
      }
    }
    for (const day of days) {
      day.revenueGross = round2(day.revenueGross);
      day.revenueNet = round2(day.revenueGross / (1 + p.taxRate));
    }
    return { categoryId: category.id, categoryName: category.name, days };
  });
}

export interface EarnedRevenueRow {
  glAccountId: number;
  glAccountCode: string;
  glAccountDescription: string;
  gross: number;
  net: number;
  tax: number;
  period?: string;
}

/**
 * Revenue is earned on the night it belongs to: room tariffs go to the accommodation account, inventory
 * items to their own GL account. Cancelled, no-show and enquiry bookings earn nothing here.
 */
export function earnedRevenue(
  p: PropertyData,
  fromDate: string,
  toDate: string,
  perDay: boolean,
): EarnedRevenueRow[] {
  const accommodation = glByRole(p, "accommodation");
  // key: `${period}|${glAccountId}`
  const sums = new Map<string, number>();
  const add = (period: string, glId: number, amount: number): void => {
    const key = `${period}|${glId}`;
    sums.set(key, (sums.get(key) ?? 0) + amount);
  };
  for (const b of p.bookings) {
    if (!OCCUPYING_STATUSES.has(b.status) || b.departureDate <= fromDate || b.arrivalDate > toDate) continue;
    for (const night of nights(b)) {
      if (night < fromDate || night > toDate) continue;
      add(perDay ? night : "", accommodation.id, nightlyAmount(b, night));
    }
    for (const item of inventoryItems(b, p)) {
      if (item.stayDate < fromDate || item.stayDate > toDate) continue;
      add(perDay ? item.stayDate : "", item.glAccountId, item.amount);
    }
  }
  const periods = perDay ? eachDate(fromDate, toDate) : [""];
  const rows: EarnedRevenueRow[] = [];
  for (const period of periods) {
    for (const gl of p.glAccounts) {
      if (!gl.active) continue;
      const gross = round2(sums.get(`${period}|${gl.id}`) ?? 0);
      const net = round2(gross / (1 + p.taxRate));
      const row: EarnedRevenueRow = {
        glAccountId: gl.id,
        glAccountCode: gl.code,
        glAccountDescription: gl.name,
        gross,
        net,
        tax: round2(gross - net),
      };
      if (perDay) row.period = period;
      rows.push(row);
    }
  }
  return rows;
}

/** Date span of a report request; reports work in whole local dates. */
export function reportDates(period: Period): { fromDate: string; toDate: string } {
  return { fromDate: dateOf(period.from), toDate: dateOf(period.to) };
}
