import { z } from "zod";

/**
 * The booking fields a kitchen plans with (arrival time, check-in, dietary needs, VIPs, notes). Newbook's
 * forms vary between accounts and API versions (see "Confirmed from real responses"), and none of them is
 * worth failing a sync over: every parser here accepts anything and keeps what it can read.
 */

/** MySQL's zero date, which older Newbook responses use for "not set". */
const isZeroDate = (value: string) => /^0000-00-00/.test(value);

function text(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return null;
  // Names and notes arrive with stray tabs and runs of spaces.
  const cleaned = value.replace(/\s+/g, " ").trim();
  return cleaned === "" ? null : cleaned;
}

/**
 * `booking_eta` -> "HH:MM". Real responses send a time only ("14:00:00"); older clients read a datetime
 * ("2025-06-15 14:00:00"). "00:00:00" is the empty default, not a midnight arrival.
 */
export const etaField = z
  .unknown()
  .optional()
  .transform((value): string | null => {
    const raw = text(value);
    if (raw === null || isZeroDate(raw)) return null;
    const match = /(?:^|[ T])(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(raw);
    if (!match) return null;
    const hour = Number(match[1]);
    const minute = Number(match[2]);
    if (hour > 23 || minute > 59 || (hour === 0 && minute === 0)) return null;
    return `${String(hour).padStart(2, "0")}:${match[2]}`;
  });

/** `booking_checkedin`: a property-local datetime "YYYY-MM-DD HH:MM:SS", or null when not checked in. */
export const checkedInField = z
  .unknown()
  .optional()
  .transform((value): string | null => {
    const raw = text(value);
    if (raw === null || isZeroDate(raw)) return null;
    const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?/.exec(raw);
    return match ? `${match[1]} ${match[2]}${match[3] ?? ":00"}` : null;
  });

/** `vip_when`: when the guest was flagged VIP; any real date (or a true flag) means VIP. */
export const vipField = z
  .unknown()
  .optional()
  .transform((value): boolean => {
    if (typeof value === "boolean") return value;
    const raw = text(value);
    if (raw === null || isZeroDate(raw)) return false;
    return !/^(0|false|no|n)$/i.test(raw);
  });

const DIETARY_KEYS = ["name", "label", "description", "dietary_requirement", "value"] as const;

/**
 * `guests[].dietary_requirements`: an array of names or of objects naming one, or (older exports) one
 * comma- or semicolon-separated string. Distinct, in the order given.
 */
export const dietaryField = z
  .unknown()
  .optional()
  .transform((value): string[] => {
    const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[,;]/) : [];
    const names = items.map((item) => {
      if (item !== null && typeof item === "object") {
        const record = item as Record<string, unknown>;
        for (const key of DIETARY_KEYS) {
          const name = text(record[key]);
          if (name !== null) return name;
        }
        return null;
      }
      return text(item);
    });
    return [...new Set(names.filter((n): n is string => n !== null && !/^(none|n\/a|-)$/i.test(n)))];
  });

/**
 * Notes the kitchen acts on: food, allergies, meals, celebrations. Housekeeping, parking and billing notes
 * stay out — they are personal data the kitchen has no use for. Newbook's note type ids differ per
 * account, so the content decides.
 */
const KITCHEN_NOTE =
  /allerg|intoleran|diet|vegan|vegetarian|gluten|coeliac|celiac|dairy|lactose|nut\b|nuts|peanut|shellfish|halal|kosher|fodmap|breakfast|lunch|dinner|meal|food|kitchen|restaurant|chef|cake|birthday|anniversar|champagne|high chair|toaster|epipen|table/i;
const MAX_NOTE_LENGTH = 200;

export function isKitchenNote(content: string): boolean {
  return KITCHEN_NOTE.test(content);
}

/** `notes[]` ({type_id, content}; some exports send plain strings) -> the kitchen-relevant contents. */
export const notesField = z
  .unknown()
  .optional()
  .transform((value): string[] => {
    if (!Array.isArray(value)) return [];
    const contents = value.map((note) =>
      note !== null && typeof note === "object"
        ? text((note as Record<string, unknown>).content)
        : text(note),
    );
    return contents
      .filter((c): c is string => c !== null && isKitchenNote(c))
      .map((c) => (c.length > MAX_NOTE_LENGTH ? `${c.slice(0, MAX_NOTE_LENGTH - 1)}…` : c));
  });

/** `bookings_group_name`, trimmed; empty means no group name. */
export const groupNameField = z.unknown().optional().transform(text);
