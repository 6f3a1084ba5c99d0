import { addDays, weekday } from "./dates";
import type { Booking, GlAccount, GlRole, InventoryItem, PropertyData, TariffQuoted } from "./types";

/**
 * Meal items and nightly tariffs are derived from a booking's compact fields rather than stored, so that
 * a 1000-room book generates quickly and a modified stay (dates, guests, meals) stays self-consistent.
 */
export const MEAL_PRICES = {
  breakfastAdult: 18.5,
  breakfastChild: 9.25,
  dinnerAdult: 35,
  dinnerChild: 17.5,
  parking: 15,
} as const;

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function nights(booking: Pick<Booking, "arrivalDate" | "departureDate">): string[] {
  const out: string[] = [];
  for (let d = booking.arrivalDate; d < booking.departureDate; d = addDays(d, 1)) out.push(d);
  return out;
}

export function glByRole(property: PropertyData, role: GlRole): GlAccount {
  const account = property.glAccounts.find((g) => g.role === role);
  if (!account) throw new Error(`property ${property.id} has no ${role} GL account`);
  return account;
}

export function nightlyAmount(booking: Booking, night: string): number {
  const day = weekday(night);
  const weekend = day === 5 || day === 6;
  return round2(booking.rate * (weekend ? 1.15 : 1));
}

export function tariffsQuoted(booking: Booking): TariffQuoted[] {
  return nights(booking).map((night) => {
    const amount = nightlyAmount(booking, night);
    return { stayDate: night, label: booking.tariffName, calculatedAmount: amount, originalAmount: amount };
  });
}

export function inventoryItems(booking: Booking, property: PropertyData): InventoryItem[] {
  const items: InventoryItem[] = [];
  const withMeals = booking.meals !== "none";
  const breakfast = withMeals ? glByRole(property, "breakfast") : undefined;
  const dinner = booking.meals === "dbb" ? glByRole(property, "dinner") : undefined;
  const parking = booking.parking ? glByRole(property, "parking") : undefined;
  for (const night of nights(booking)) {
    if (breakfast) {
      items.push({
        stayDate: night,
        description: "Breakfast",
        itemName: booking.meals === "dbb" ? "DBB Breakfast" : "BB Breakfast",
        amount: round2(
          booking.adults * MEAL_PRICES.breakfastAdult + booking.children * MEAL_PRICES.breakfastChild,
        ),
        glAccountId: breakfast.id,
        glAccountCode: breakfast.code,
      });
    }
    if (dinner) {
      items.push({
        stayDate: night,
        description: "Dinner",
        itemName: "DBB Dinner",
        amount: round2(booking.adults * MEAL_PRICES.dinnerAdult + booking.children * MEAL_PRICES.dinnerChild),
        glAccountId: dinner.id,
        glAccountCode: dinner.code,
      });
    }
    if (parking) {
      items.push({
        stayDate: night,
        description: "Parking",
        itemName: "Car Park",
        amount: MEAL_PRICES.parking,
        glAccountId: parking.id,
        glAccountCode: parking.code,
      });
    }
  }
  return items;
}

export function bookingTotal(booking: Booking, property: PropertyData): number {
  const tariffs = tariffsQuoted(booking).reduce((s, t) => s + t.calculatedAmount, 0);
  const items = inventoryItems(booking, property).reduce((s, i) => s + i.amount, 0);
  return round2(tariffs + items);
}
