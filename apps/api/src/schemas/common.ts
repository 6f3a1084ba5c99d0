import { isLocalDate } from "@occ/core";
import { z } from "zod";

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z
        .union([
          z.array(z.object({ field: z.string(), message: z.string() })),
          z.record(z.string(), z.unknown()),
        ])
        .nullable(),
    }),
  })
  .meta({ id: "Error" });

export const localDate = (field: string) =>
  z
    .string({ error: `${field} must be a date (YYYY-MM-DD)` })
    .refine(isLocalDate, { error: `${field} must be a valid date (YYYY-MM-DD)` })
    // Windows are computed from it (+ days); far-off years overflow date arithmetic and mean nothing here.
    .refine((v) => v >= "1900-01-01" && v <= "2999-12-31", {
      error: `${field} must be between 1900-01-01 and 2999-12-31`,
    })
    .meta({ format: "date", example: "2025-06-01" });

export const timestamp = z.string().meta({ format: "date-time" });
export const nullableTimestamp = timestamp.nullable();

/** A whole number in a query string, with a message naming the field and its range. */
export const queryInt = (field: string, min: number, max: number) => {
  const message = `${field} must be an integer between ${min} and ${max}`;
  return z
    .string({ error: message })
    .regex(/^\d{1,6}$/, { error: message })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: message }).max(max, { error: message }));
};

/** A positive integer id in a path. */
export const idParam = (field: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,9}$/, { error: `${field} must be a positive integer` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .max(2_147_483_647, { error: `${field} is out of range` }),
    );

export const idParams = z.object({ id: idParam("id") });
