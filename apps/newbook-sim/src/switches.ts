import { z } from "zod";

/** Every [guess] in the contract is a runtime switch, so our client can be tested against each reading. */
export const STATUS_CASINGS = ["title", "upper", "lower", "snake", "upper_snake"] as const;
export type StatusCasing = (typeof STATUS_CASINGS)[number];

export const switchesSchema = z
  .object({
    /** title: "No-Show", upper: "NO-SHOW", lower: "no-show", snake: "no_show", upper_snake: "NO_SHOW". */
    status_casing: z.enum(STATUS_CASINGS),
    /** "429": HTTP 429 + success "false"; "200": HTTP 200 + success "false". */
    throttle_form: z.enum(["429", "200"]),
    /** Whether throttle denials carry a Retry-After header (seconds). */
    retry_after: z.boolean(),
    /** Numbers as JSON numbers instead of Newbook's usual strings. */
    numeric_scalars: z.boolean(),
    throttle_per_minute: z.number().int().min(1).max(100_000),
    /** HTTP status for a wrong api_key/region: 200 + success "false" (default guess) or 403. */
    bad_api_key_status: z.union([z.literal(200), z.literal(403)]),
    /**
     * Time of day on booking_arrival/booking_departure: "checkin_checkout" = 14:00:00 / 10:00:00 (as seen
     * in the wild), "midnight" = 00:00:00 for both (a stay then touches its departure date not at all).
     */
    booking_times: z.enum(["checkin_checkout", "midnight"]),
    /**
     * booking_eta as Newbook sends it today ("time": "15:30:00", confirmed from real responses) or as older
     * clients read it ("datetime": the arrival date with the time, "2025-06-15 15:30:00").
     */
    booking_eta_form: z.enum(["time", "datetime"]),
    /** Whether bookings carry booking_modified (confirmed from real responses); false: an account without it. */
    booking_modified: z.boolean(),
  })
  .strict();

export type Switches = z.infer<typeof switchesSchema>;

export const switchesPatchSchema = switchesSchema.partial();

export function defaultSwitches(throttlePerMinute = 100): Switches {
  return {
    status_casing: "title",
    throttle_form: "429",
    retry_after: true,
    numeric_scalars: false,
    throttle_per_minute: throttlePerMinute,
    bad_api_key_status: 200,
    booking_times: "checkin_checkout",
    booking_eta_form: "time",
    booking_modified: true,
  };
}
