import { BOOKING_CHANGE_FIELDS, BOOKING_CHANGE_KINDS, MEAL_PLANS } from "@occ/db";
import { z } from "zod";
import { FRESHNESS_STATES } from "../services/freshness";
import { localDate, nullableTimestamp, queryInt, timestamp } from "./common";

export const freshnessSchema = z
  .object({
    state: z.enum(FRESHNESS_STATES),
    as_of: nullableTimestamp,
    synced_from: z.string().nullable(),
    synced_to: z.string().nullable(),
    days_ahead: z.number().int(),
  })
  .meta({ id: "Freshness" });

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
  .object({
    timezone: z.string(),
    today: z.string(),
    days: z.array(occupancyDaySchema),
    freshness: freshnessSchema,
  })
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
  change: z.enum(["new", "changed", "cancelled"]).nullable(),
  changed_fields: z.array(z.string()),
  change_at: nullableTimestamp,
  ...kitchenInfoSchema.shape,
});

export const residentsResponseSchema = z
  .object({
    start: z.string(),
    end: z.string(),
    dates: z.array(z.string()),
    rooms: z.array(z.object({ room: z.string(), stays: z.array(residentStaySchema) })),
    freshness: freshnessSchema,
  })
  .meta({ id: "Residents" });

export const changesQuerySchema = z.object({ limit: queryInt("limit", 1, 100).optional() });

const bookingSnapshotSchema = z
  .object({
    arrival: z.string(),
    departure: z.string(),
    room: z.string().nullable(),
    adults: z.number().int(),
    children: z.number().int(),
    infants: z.number().int(),
    mealPlan: z.enum(MEAL_PLANS),
  })
  .meta({ id: "BookingSnapshot" });

export const changeFeedSchema = z
  .object({
    timezone: z.string(),
    today: z.string(),
    entries: z.array(
      z.object({
        run_id: z.string(),
        synced_at: timestamp,
        summary: z.array(z.string()),
        changes: z.array(
          z.object({
            booking_id: z.string(),
            kind: z.enum(BOOKING_CHANGE_KINDS),
            room: z.string().nullable(),
            guest_name: z.string().nullable(),
            fields: z.array(z.enum(BOOKING_CHANGE_FIELDS)),
            before: bookingSnapshotSchema.nullable(),
            after: bookingSnapshotSchema.nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: "ChangeFeed" });

export const ALERT_STATES = ["open", "all"] as const;
export const ALERT_ACTIONS = ["settings"] as const;

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
    /** Where the reader fixes it (action-needed alerts, such as rejected credentials); null otherwise. */
    action: z.enum(ALERT_ACTIONS).nullable(),
    /** The times the message names, on the kitchen's clock ("18:06") and as instants, for "22 min ago". */
    times: z.array(z.object({ at: timestamp, clock: z.string() })),
  })
  .meta({ id: "Alert" });

export const alertsResponseSchema = z.object({ alerts: z.array(alertSchema) }).meta({ id: "Alerts" });
