import type { Freshness } from "@occ/api";
import { freshnessNotice, isSynced } from "./freshness";

const base: Freshness = {
  state: "fresh",
  as_of: "2025-06-02T13:02:00Z",
  synced_from: "2025-06-02",
  synced_to: "2025-06-09",
  days_ahead: 7,
};
const NOW = new Date("2025-06-02T13:30:00Z");

describe("freshnessNotice", () => {
  it("shows the time of the last success in the kitchen's zone, no banner when fresh", () => {
    expect(freshnessNotice(base, "Europe/London", NOW)).toEqual({
      asOf: "As of 14:02",
      banner: null,
      doubtful: false,
    });
  });

  it("says when figures are failing or stale and marks them", () => {
    const failing = freshnessNotice({ ...base, state: "failing" }, "Europe/London", NOW);
    expect(failing.doubtful).toBe(true);
    expect(failing.banner?.tone).toBe("error");
    expect(failing.banner?.text).toContain("from 14:02, 28 min ago");
    const stale = freshnessNotice({ ...base, state: "stale" }, "Europe/London", NOW);
    expect(stale.banner?.text).toContain("No successful sync since 14:02");
    expect(stale.doubtful).toBe(true);
  });

  it("has no 'as of' time before the first sync", () => {
    const never = freshnessNotice({ ...base, state: "never_synced", as_of: null }, "UTC", NOW);
    expect(never.asOf).toBe("Not synced yet");
  });
});

describe("isSynced", () => {
  it("is false after the last synced day and when nothing was synced", () => {
    expect(isSynced("2025-06-09", base)).toBe(true);
    expect(isSynced("2025-06-10", base)).toBe(false);
    expect(isSynced("2025-06-02", { synced_to: null })).toBe(false);
  });
});
