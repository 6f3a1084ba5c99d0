import { z } from "zod";
import { localDate, nullableTimestamp } from "./common";

/** Personal data (names, dietary needs, notes): only the kitchen's own users and admins get these. */
const kitchenInfo = {
  group_name: z.string().nullable(),
  vip: z.boolean(),
  dietary: z.array(z.object({ requirement: z.string(), guest: z.string().nullable() })),
  notes: z.array(z.string()),
};
export const kitchenInfoSchema = z.object(kitchenInfo);

const party = { adults: z.number().int(), children: z.number().int(), infants: z.number().int() };
export const MEAL_PLANS = ["room_only", "breakfast", "dinner", "dinner_bed_breakfast"] as const;

const arrivalRowSchema = z.object({
  booking_id: z.string(),
  room: z.string(),
  guest_name: z.string().nullable(),
  eta: z
    .string()
    .nullable()
    .meta({ description: "Expected arrival HH:MM in the kitchen's zone; null: no ETA" }),
  arrived: z.boolean(),
  checked_in_at: z.string().nullable().meta({ description: "Kitchen-local YYYY-MM-DD HH:MM:SS" }),
  ...party,
  meal_plan: z.enum(MEAL_PLANS),
  ...kitchenInfo,
});

const counts = { bookings: z.number().int(), guests: z.number().int(), arrived: z.number().int() };

export const arrivalsResponseSchema = z
  .object({
    timezone: z.string(),
    as_of: nullableTimestamp.meta({ description: "The kitchen's last successful sync" }),
    days: z.array(
      z.object({
        date: z.string(),
        ...counts,
        hours: z.array(
          z.object({
            hour: z.string().nullable().meta({ description: "'14' for 14:00-14:59; null: no ETA" }),
            ...counts,
            arrivals: z.array(arrivalRowSchema),
          }),
        ),
      }),
    ),
  })
  .meta({ id: "Arrivals" });

export const SHEET_MEALS = ["breakfast", "dinner"] as const;

export const sheetParamsSchema = z.object({
  meal: z.enum(SHEET_MEALS, { error: `meal must be one of: ${SHEET_MEALS.join(", ")}` }),
});
export const sheetQuerySchema = z.object({ date: localDate("date").optional() });

export const sheetResponseSchema = z
  .object({
    meal: z.enum(SHEET_MEALS),
    date: z.string(),
    timezone: z.string(),
    as_of: nullableTimestamp.meta({ description: "The kitchen's last successful sync" }),
    rows: z.array(
      z.object({
        room: z.string(),
        booking_id: z.string(),
        names: z.array(z.string()),
        ...party,
        ...kitchenInfo,
      }),
    ),
    totals: z.object({ rooms: z.number().int(), ...party, covers: z.number().int() }),
  })
  .meta({ id: "MealSheet" });
