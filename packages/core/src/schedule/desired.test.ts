import type { ScheduleOptions } from "../queue/schedule";
import { busyWindowsProblem, inBusyHours, nextBusyStart, zonedInstant } from "./busy-hours";
import { desiredSchedule, type KitchenScheduleState } from "./desired";

const MINUTE = 60_000;
const opts: ScheduleOptions = { minuteMs: MINUTE, attempts: 3, backoffMs: 1000, backoffAfterFailures: 3 };

function state(overrides: Partial<KitchenScheduleState> = {}): KitchenScheduleState {
  return {
    kitchenId: 1,
    timezone: "Europe/London",
    isEnabled: true,
    hasConnection: true,
    connectionVerified: true,
    syncIntervalMinutes: 60,
    busyHours: [],
    busyIntervalMinutes: null,
    consecutiveFailures: 0,
    lastErrorCode: null,
    lastSyncAt: null,
    lastSuccessAt: null,
    nextSyncAt: null,
    createdAt: new Date("2026-01-01T00:00:00Z"),
    ...overrides,
  };
}

const at = (iso: string) => new Date(iso);

describe("busy hours in the kitchen's local time", () => {
  test("a window is found on both sides of a spring-forward change (London, 29 March 2026)", () => {
    // Clocks go 01:00 GMT -> 02:00 BST at 01:00 UTC. The window 00:00-04:00 local lasts 3 real hours.
    const windows = [{ start: "00:00", end: "04:00" }];
    expect(zonedInstant("Europe/London", "2026-03-29", "00:00")).toBe(Date.parse("2026-03-29T00:00:00Z"));
    expect(zonedInstant("Europe/London", "2026-03-29", "04:00")).toBe(Date.parse("2026-03-29T03:00:00Z"));
    expect(inBusyHours(windows, "Europe/London", at("2026-03-29T00:30:00Z"))).toBe(true); // 00:30 GMT
    expect(inBusyHours(windows, "Europe/London", at("2026-03-29T02:30:00Z"))).toBe(true); // 03:30 BST
    expect(inBusyHours(windows, "Europe/London", at("2026-03-29T03:00:00Z"))).toBe(false); // 04:00 BST
    // A skipped wall time (01:30) is read after the jump, like Temporal's "compatible" rule.
    expect(zonedInstant("Europe/London", "2026-03-29", "01:30")).toBe(Date.parse("2026-03-29T01:30:00Z"));
  });

  test("autumn: a repeated hour maps to its first occurrence and the window lasts 5 real hours", () => {
    const windows = [{ start: "00:00", end: "04:00" }];
    expect(zonedInstant("Europe/London", "2026-10-25", "01:30")).toBe(Date.parse("2026-10-25T00:30:00Z"));
    expect(zonedInstant("Europe/London", "2026-10-25", "00:00")).toBe(Date.parse("2026-10-24T23:00:00Z"));
    expect(inBusyHours(windows, "Europe/London", at("2026-10-25T03:30:00Z"))).toBe(true); // 03:30 GMT
    expect(inBusyHours(windows, "Europe/London", at("2026-10-24T22:59:00Z"))).toBe(false); // 23:59 BST
  });

  test("the next window start is the next local day's when today's has begun", () => {
    const windows = [
      { start: "06:00", end: "10:00" },
      { start: "16:00", end: "21:00" },
    ];
    // 07:00 in Sydney (UTC+11 in January) -> next start is 16:00 local = 05:00 UTC.
    expect(nextBusyStart(windows, "Australia/Sydney", at("2026-01-14T20:00:00Z"))).toBe(
      Date.parse("2026-01-15T05:00:00Z"),
    );
    // 22:00 local -> tomorrow 06:00 local.
    expect(nextBusyStart(windows, "Australia/Sydney", at("2026-01-15T11:00:00Z"))).toBe(
      Date.parse("2026-01-15T19:00:00Z"),
    );
  });

  test("unusable windows are named", () => {
    expect(busyWindowsProblem([{ start: "10:00", end: "06:00" }])).toMatch(/end after it starts/);
    expect(busyWindowsProblem([{ start: "6:00", end: "10:00" }])).toMatch(/HH:MM/);
    expect(
      busyWindowsProblem([
        { start: "06:00", end: "10:00" },
        { start: "09:00", end: "11:00" },
      ]),
    ).toMatch(/overlaps/);
    expect(busyWindowsProblem([{ start: "06:00", end: "10:00" }])).toBeNull();
  });
});

describe("desiredSchedule", () => {
  const now = at("2026-03-29T00:10:00Z");

  test("off with a reason: disabled, not connected, connection untested, credentials rejected", () => {
    expect(desiredSchedule(state({ isEnabled: false }), opts, now)).toEqual({
      on: false,
      reason: "disabled",
    });
    expect(desiredSchedule(state({ hasConnection: false }), opts, now)).toEqual({
      on: false,
      reason: "not_connected",
    });
    expect(desiredSchedule(state({ connectionVerified: false }), opts, now)).toEqual({
      on: false,
      reason: "connection_untested",
    });
    expect(desiredSchedule(state({ lastErrorCode: "newbook_auth" }), opts, now)).toEqual({
      on: false,
      reason: "credentials_rejected",
    });
  });

  test("a kitchen never synced is due now; otherwise the next run counts from the last", () => {
    expect(desiredSchedule(state(), opts, now)).toMatchObject({ on: true, startAt: now.getTime() });
    const last = at("2026-03-29T00:05:00Z");
    expect(desiredSchedule(state({ lastSyncAt: last, syncIntervalMinutes: 15 }), opts, now)).toMatchObject({
      startAt: last.getTime() + 15 * MINUTE,
      everyMs: 15 * MINUTE,
      busy: false,
    });
  });

  test("busy hours across the spring-forward change: fast inside the window, normal after it", () => {
    const busy = { busyHours: [{ start: "00:00", end: "04:00" }], busyIntervalMinutes: 5 };
    // Last run 01:58 UTC = 02:58 BST (inside), next at 02:03 UTC, still inside.
    const inside = desiredSchedule(state({ ...busy, lastSyncAt: at("2026-03-29T01:58:00Z") }), opts, now);
    expect(inside).toMatchObject({
      startAt: Date.parse("2026-03-29T02:03:00Z"),
      everyMs: 5 * MINUTE,
      busy: true,
    });
    // Last run 02:58 UTC = 03:58 BST; next 03:03 UTC = 04:03 BST is outside: normal 60 from then on.
    const after = desiredSchedule(
      state({ ...busy, lastSyncAt: at("2026-03-29T02:58:00Z") }),
      opts,
      at("2026-03-29T02:59:00Z"),
    );
    expect(after).toMatchObject({ everyMs: 60 * MINUTE, busy: false });
  });

  test("the next run comes forward to the start of busy hours", () => {
    const busy = { busyHours: [{ start: "06:00", end: "10:00" }], busyIntervalMinutes: 5 };
    // Sydney 05:30 local (18:30 UTC the day before); normal 60 would be 06:30, busy hours start at 06:00.
    const desired = desiredSchedule(
      state({ ...busy, timezone: "Australia/Sydney", lastSyncAt: at("2026-01-14T18:30:00Z") }),
      opts,
      at("2026-01-14T18:31:00Z"),
    );
    expect(desired).toMatchObject({ startAt: Date.parse("2026-01-14T19:00:00Z"), everyMs: 5 * MINUTE });
  });

  test("a failing kitchen backs off from its normal interval and ignores busy hours", () => {
    const busy = { busyHours: [{ start: "00:00", end: "04:00" }], busyIntervalMinutes: 5 };
    const desired = desiredSchedule(
      state({ ...busy, syncIntervalMinutes: 15, consecutiveFailures: 4, lastSyncAt: now }),
      opts,
      now,
    );
    expect(desired).toMatchObject({ everyMs: 60 * MINUTE, busy: false }); // 15 doubled twice
  });
});
