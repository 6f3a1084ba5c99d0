import type { Region as NewbookRegion } from "@occ/db";

// Newbook's regions (shared/newbook-api.md: au, ap, eu, us, uk). The British Isles' zones other than
// Dublin are on the UK instance; New Zealand has no region of its own and is served from Australia's.
const BY_ZONE: Record<string, NewbookRegion> = {
  "Europe/London": "uk",
  "Europe/Belfast": "uk",
  "Europe/Guernsey": "uk",
  "Europe/Isle_of_Man": "uk",
  "Europe/Jersey": "uk",
  "Pacific/Auckland": "au",
  "Pacific/Chatham": "au",
  "Antarctica/McMurdo": "au",
};

const BY_AREA: Record<string, NewbookRegion> = {
  Europe: "eu",
  Australia: "au",
  America: "us",
  Asia: "ap",
};

/** The region a first connection starts from, guessed from the kitchen's IANA zone; null when unsure. */
export function regionForTimezone(timezone: string): NewbookRegion | null {
  const exact = BY_ZONE[timezone];
  if (exact) return exact;
  const area = timezone.split("/")[0] ?? "";
  return BY_AREA[area] ?? null;
}
