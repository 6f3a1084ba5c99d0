import type { ArrivalRow, MealPlan } from "@occ/api";
import { formatClock } from "./time";

/** "14:00" for hour "14"; arrivals without an ETA are their own group. */
export function hourLabel(hour: string | null): string {
  return hour === null ? "No ETA" : `${hour}:00`;
}

export const MEAL_PLAN_LABELS: Record<MealPlan, string> = {
  room_only: "Room only",
  breakfast: "B&B",
  dinner: "Dinner",
  dinner_bed_breakfast: "DBB",
};

/** "2A 1C 1I": adults, children, infants (zeros left out, adults always shown). */
export function partyLabel(r: Pick<ArrivalRow, "adults" | "children" | "infants">): string {
  return [`${r.adults}A`, r.children > 0 && `${r.children}C`, r.infants > 0 && `${r.infants}I`]
    .filter(Boolean)
    .join(" ");
}

/** "as of 14:03" in the kitchen's zone: when the data was last fetched from Newbook. */
export function asOfLabel(asOf: string | null, timeZone: string): string {
  return asOf ? `as of ${formatClock(asOf, timeZone)}` : "not synced yet";
}

/** "15:42" of a kitchen-local "YYYY-MM-DD HH:MM:SS" (already local: no zone conversion). */
export function localClock(localDateTime: string): string {
  return localDateTime.slice(11, 16);
}

/** One chip per requirement: "Vegan ×2" when two guests share it; whose it is goes in the title. */
export function dietaryChips(
  dietary: readonly { requirement: string; guest: string | null }[],
): { requirement: string; label: string; title: string }[] {
  const byRequirement = new Map<string, (string | null)[]>();
  for (const d of dietary)
    byRequirement.set(d.requirement, [...(byRequirement.get(d.requirement) ?? []), d.guest]);
  return [...byRequirement.entries()].map(([requirement, guests]) => {
    const named = guests.filter((g): g is string => g !== null);
    return {
      requirement,
      label: guests.length > 1 ? `${requirement} ×${guests.length}` : requirement,
      title: named.length > 0 ? `${requirement}: ${named.join(", ")}` : requirement,
    };
  });
}

/** "1 guest", "3 guests". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
