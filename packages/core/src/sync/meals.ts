import type { BookingItem } from "../newbook/types";

/** Which GL accounts a kitchen books breakfast and dinner under (newbook_connections). */
export interface MealMapping {
  breakfastGlAccountIds: readonly string[];
  dinnerGlAccountIds: readonly string[];
}

export type Meal = "breakfast" | "dinner";

export interface MealClassifier {
  isMeal(item: BookingItem, meal: Meal): boolean;
}

/**
 * A mapped meal is recognised by GL account only; an unmapped one falls back to the item's name,
 * so a kitchen that has not configured GL accounts still gets sensible covers.
 */
export function mealClassifier(mapping: MealMapping): MealClassifier {
  const accounts: Record<Meal, ReadonlySet<string>> = {
    breakfast: new Set(mapping.breakfastGlAccountIds),
    dinner: new Set(mapping.dinnerGlAccountIds),
  };
  return {
    isMeal(item, meal) {
      const mapped = accounts[meal];
      if (mapped.size > 0) return item.glAccountId !== null && mapped.has(item.glAccountId);
      return item.name.toLowerCase().includes(meal);
    },
  };
}
