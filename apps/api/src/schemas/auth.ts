import { USER_ROLES } from "@occ/db";
import { z } from "zod";

export const loginBodySchema = z
  .object({
    email: z.string({ error: "email is required" }).trim().min(1, { error: "email is required" }).max(320),
    password: z.string({ error: "password is required" }).min(1, { error: "password is required" }).max(1024),
  })
  .meta({ id: "LoginRequest" });

export const loginResponseSchema = z
  .object({ access_token: z.string(), token_type: z.literal("bearer"), expires_in: z.number().int() })
  .meta({ id: "LoginResponse" });

export const roleSchema = z.enum(USER_ROLES, { error: `role must be one of: ${USER_ROLES.join(", ")}` });

export const kitchenSchema = z
  .object({ id: z.number().int(), name: z.string(), timezone: z.string() })
  .meta({ id: "KitchenSummary" });

export const meResponseSchema = z
  .object({
    user: z.object({
      id: z.number().int(),
      email: z.string(),
      role: roleSchema,
      kitchen_id: z.number().int().nullable(),
    }),
    kitchen: kitchenSchema.nullable(),
  })
  .meta({ id: "Me" });
