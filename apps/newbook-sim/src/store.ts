import { daysBetween, localDateTime } from "./dates";
import { DEFAULT_TIMEZONES, generateProperty } from "./generator";
import { hashSeed } from "./prng";
import {
  BLOCKING_STATUSES,
  type Booking,
  type BookingStatus,
  type MealPlan,
  type PropertyData,
} from "./types";

/** A failed mutation, carrying the HTTP status the control API answers with. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface StoreOptions {
  seed: number;
  properties: number;
  rooms: number | number[];
  today?: string;
  timezones?: string[];
  now: () => number;
}

export interface AddBookingInput {
  arrival: string;
  departure: string;
  adults: number;
  children?: number;
  infants?: number;
  /** undefined: allocate any free room; null: leave unallocated. */
  site_id?: number | null;
  category_id?: number;
  status?: BookingStatus;
  meals?: MealPlan;
  group_id?: number | null;
  /** Expected arrival time "HH:MM[:SS]" or null. */
  eta?: string | null;
}

export type ModifyBookingInput = Partial<Omit<AddBookingInput, "group_id" | "category_id">> & {
  category_id?: number;
};

const MAX_NIGHTS = 90;

function normaliseEta(eta: string | null): string | null {
  return eta === null ? null : eta.length === 5 ? `${eta}:00` : eta;
}

/** All mutable simulator data; the only place bookings change. */
export class SimStore {
  properties: PropertyData[] = [];

  constructor(private readonly options: StoreOptions) {
    this.regenerate();
  }

  regenerate(): void {
    const { seed, properties, rooms, today, timezones, now } = this.options;
    const at = now();
    this.properties = Array.from({ length: properties }, (_, index) => {
      const timezone = timezones?.[index] ?? DEFAULT_TIMEZONES[index % DEFAULT_TIMEZONES.length] ?? "UTC";
      const roomCount = Array.isArray(rooms) ? (rooms[index] ?? rooms[rooms.length - 1] ?? 40) : rooms;
      return generateProperty({
        seed,
        index,
        rooms: roomCount,
        timezone,
        today: today ?? localDateTime(timezone, at).date,
        todayPinned: today !== undefined,
      });
    });
  }

  get(propertyId: string): PropertyData {
    const p = this.properties.find((x) => x.id === propertyId);
    if (!p) throw new SimError(404, `Unknown property ${propertyId}`);
    return p;
  }

  findByUsername(username: string): PropertyData | undefined {
    return this.properties.find((p) => p.username === username);
  }

  /** Property-local now; a pinned today keeps its date so mutations land in the pinned world. */
  localNow(p: PropertyData): string {
    const { date, time } = localDateTime(p.timezone, this.options.now());
    return `${p.todayPinned ? p.today : date} ${time}`;
  }

  getBooking(p: PropertyData, bookingId: number): Booking {
    const b = p.bookings.find((x) => x.id === bookingId);
    if (!b) throw new SimError(404, `Unknown booking ${bookingId} in property ${p.id}`);
    return b;
  }

  addBooking(p: PropertyData, input: AddBookingInput): Booking {
    checkDates(input.arrival, input.departure);
    const status = input.status ?? defaultStatus(input.arrival, input.departure, p.today);
    let categoryId = input.category_id;
    let siteId: number | null = null;
    if (input.site_id === undefined) {
      siteId = this.findFreeSite(p, input.arrival, input.departure, categoryId) ?? null;
      if (siteId === null && BLOCKING_STATUSES.has(status)) {
        throw new SimError(409, `No free room from ${input.arrival} to ${input.departure}`);
      }
    } else if (input.site_id !== null) {
      siteId = input.site_id;
    }
    if (siteId !== null) {
      const site = p.sites.find((s) => s.id === siteId);
      if (!site) throw new SimError(400, `Unknown site_id ${siteId}`);
      if (categoryId !== undefined && categoryId !== site.categoryId) {
        throw new SimError(400, `site_id ${siteId} is not in category ${categoryId}`);
      }
      categoryId = site.categoryId;
    }
    const category = p.categories.find((c) => c.id === (categoryId ?? p.categories[0]?.id));
    if (!category) throw new SimError(400, `Unknown category_id ${categoryId}`);
    const now = this.localNow(p);
    const id = p.nextBookingId++;
    const adults = input.adults;
    const children = input.children ?? 0;
    const meals = input.meals ?? "none";
    const booking: Booking = {
      id,
      reference: `NB${String(id).padStart(8, "0")}`,
      groupId: input.group_id ?? null,
      placed: now,
      cancelled: status === "cancelled" ? now : null,
      modified: now,
      arrivalDate: input.arrival,
      departureDate: input.departure,
      eta: input.eta === undefined ? p.checkInTime : normaliseEta(input.eta),
      checkedIn: status === "arrived" || status === "departed" ? now : null,
      status,
      adults,
      children,
      infants: input.infants ?? 0,
      categoryId: category.id,
      siteId,
      meals,
      rate: category.baseRate,
      tariffName:
        meals === "bb" ? "Bed & Breakfast" : meals === "dbb" ? "Dinner, Bed & Breakfast" : "Room Only",
      parking: false,
      guestSeed: hashSeed(id, adults, children),
    };
    this.assertNoConflict(p, booking);
    p.bookings.push(booking);
    return booking;
  }

  modifyBooking(p: PropertyData, bookingId: number, patch: ModifyBookingInput): Booking {
    const current = this.getBooking(p, bookingId);
    const next: Booking = { ...current };
    if (patch.arrival !== undefined) next.arrivalDate = patch.arrival;
    if (patch.departure !== undefined) next.departureDate = patch.departure;
    checkDates(next.arrivalDate, next.departureDate);
    if (patch.adults !== undefined) next.adults = patch.adults;
    if (patch.children !== undefined) next.children = patch.children;
    if (patch.infants !== undefined) next.infants = patch.infants;
    if (patch.meals !== undefined) {
      next.meals = patch.meals;
      next.tariffName =
        patch.meals === "bb"
          ? "Bed & Breakfast"
          : patch.meals === "dbb"
            ? "Dinner, Bed & Breakfast"
            : "Room Only";
    }
    if (patch.category_id !== undefined) {
      if (!p.categories.some((c) => c.id === patch.category_id)) {
        throw new SimError(400, `Unknown category_id ${patch.category_id}`);
      }
      next.categoryId = patch.category_id;
    }
    if (patch.site_id !== undefined) {
      // A room move: the booking keeps its id, only the site (and with it maybe the category) changes.
      if (patch.site_id === null) next.siteId = null;
      else {
        const site = p.sites.find((s) => s.id === patch.site_id);
        if (!site) throw new SimError(400, `Unknown site_id ${patch.site_id}`);
        next.siteId = site.id;
        next.categoryId = site.categoryId;
      }
    }
    const now = this.localNow(p);
    if (patch.eta !== undefined) next.eta = normaliseEta(patch.eta);
    if (patch.status !== undefined && patch.status !== current.status) {
      next.status = patch.status;
      next.cancelled = patch.status === "cancelled" ? now : null;
      // Checking in stamps the time; undoing it (back to confirmed) clears it, as Newbook's "undo arrival".
      const arrived = patch.status === "arrived" || patch.status === "departed";
      next.checkedIn = arrived ? (current.checkedIn ?? now) : null;
    }
    this.assertNoConflict(p, next);
    next.modified = now;
    Object.assign(current, next);
    return current;
  }

  cancelBooking(p: PropertyData, bookingId: number): Booking {
    const b = this.getBooking(p, bookingId);
    if (b.status === "cancelled") throw new SimError(409, `Booking ${bookingId} is already cancelled`);
    const now = this.localNow(p);
    b.status = "cancelled";
    b.cancelled = now;
    b.modified = now;
    return b;
  }

  private findFreeSite(
    p: PropertyData,
    arrival: string,
    departure: string,
    categoryId?: number,
  ): number | undefined {
    // One pass over the bookings, not one per site: a 1000-room book holds ~80k bookings.
    const busy = new Set<number>();
    for (const b of p.bookings) {
      if (
        b.siteId !== null &&
        BLOCKING_STATUSES.has(b.status) &&
        b.arrivalDate < departure &&
        b.departureDate > arrival
      ) {
        busy.add(b.siteId);
      }
    }
    return p.sites.find(
      (s) =>
        (categoryId === undefined || s.categoryId === categoryId) &&
        !busy.has(s.id) &&
        !s.maintenance.some((m) => m.from < departure && m.to >= arrival),
    )?.id;
  }

  private assertNoConflict(p: PropertyData, b: Booking): void {
    if (b.siteId === null || !BLOCKING_STATUSES.has(b.status)) return;
    const clash = p.bookings.find(
      (o) =>
        o.id !== b.id &&
        o.siteId === b.siteId &&
        BLOCKING_STATUSES.has(o.status) &&
        o.arrivalDate < b.departureDate &&
        o.departureDate > b.arrivalDate,
    );
    if (clash) {
      throw new SimError(
        409,
        `Room ${b.siteId} is already booked by booking ${clash.id} (${clash.arrivalDate} to ${clash.departureDate})`,
      );
    }
  }
}

function checkDates(arrival: string, departure: string): void {
  const n = daysBetween(arrival, departure);
  if (n < 1) throw new SimError(400, "departure must be after arrival");
  if (n > MAX_NIGHTS) throw new SimError(400, `stays are limited to ${MAX_NIGHTS} nights`);
}

function defaultStatus(arrival: string, departure: string, today: string): BookingStatus {
  if (departure <= today) return "departed";
  if (arrival <= today) return "arrived";
  return "confirmed";
}
