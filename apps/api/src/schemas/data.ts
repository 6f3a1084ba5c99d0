import { z } from "zod";
import { localDate, nullableTimestamp, timestamp } from "./common";
import { kitchenInfoSchema } from "./kitchen-day";

export const MAX_OCCUPANCY_DAYS = 400;

export const occupancyQuerySchema = z.object({
  from: localDate("from").optional(),
  to: localDate("to").optional(),
});

const figures = {
  rooms_available: z.number().int().nullable(),
  rooms_occupied: z.number().int(),
  adults: z.number().int(),
  children: z.number().int(),
  infants: z.number().int(),
  guests: z.number().int(),
  arrivals: z.number().int(),
  arrival_guests: z.number().int(),
  departures: z.number().int(),
  departure_guests: z.number().int(),
  breakfast_covers: z.number().int(),
  dinner_covers: z.number().int(),
};

export const occupancyDaySchema = z
  .object({
    date: z.string(),
    ...figures,
    is_forecast: z.boolean(),
    fetched_at: timestamp,
    changed_at: nullableTimestamp,
    previous: z.record(z.string(), z.number().nullable()).nullable(),
  })
  .meta({ id: "OccupancyDay" });

export const occupancyResponseSchema = z
  .object({ timezone: z.string(), today: z.string(), days: z.array(occupancyDaySchema) })
  .meta({ id: "Occupancy" });

export const residentsQuerySchema = z.object({ start: localDate("start").optional() });

export const residentStaySchema = z.object({
  booking_id: z.string(),
  group_id: z.string().nullable(),
  guest_name: z.string().nullable(),
  arrival: z.string(),
  departure: z.string(),
  adults: z.number().int(),
  children: z.number().int(),
  infants: z.number().int(),
  has_breakfast: z.boolean(),
  is_dbb: z.boolean(),
  nights: z.array(z.string()),
  ...kitchenInfoSchema.shape,
});

export const residentsResponseSchema = z
  .object({
    start: z.string(),
    end: z.string(),
    dates: z.array(z.string()),
    rooms: z.array(z.object({ room: z.string(), stays: z.array(residentStaySchema) })),
  })
  .meta({ id: "Residents" });

export const ALERT_STATES = ["open", "all"] as const;

export const alertsQuerySchema = z.object({
  state: z.enum(ALERT_STATES, { error: `state must be one of: ${ALERT_STATES.join(", ")}` }).optional(),
});

export const alertSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    severity: z.string(),
    state: z.string(),
    message: z.string(),
    opened_at: timestamp,
    resolved_at: nullableTimestamp,
  })
  .meta({ id: "Alert" });

export const alertsResponseSchema = z.object({ alerts: z.array(alertSchema) }).meta({ id: "Alerts" });
