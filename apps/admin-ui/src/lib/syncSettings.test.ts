import { CHANGE_WEBHOOK_MIN_BOOKINGS_MAX, DAYS_AHEAD_MAX } from "@occ/db";
import {
  busyHoursOk,
  CHANGE_ALERT_MAX,
  checkBusyHours,
  DAYS_AHEAD_MAX as FORM_DAYS_AHEAD_MAX,
  inPageWords,
  intervalLabel,
  parseChangeAlertMin,
  parseDaysAhead,
  recommendedInterval,
  runWindowText,
} from "./syncSettings";

describe("parseDaysAhead", () => {
  it.each([
    ["7", { ok: true, value: 7 }],
    [" 30 ", { ok: true, value: 30 }],
    ["1", { ok: true, value: 1 }],
    ["", { ok: false, error: "Days ahead is required (1-30)" }],
    ["   ", { ok: false, error: "Days ahead is required (1-30)" }],
    ["abc", { ok: false, error: "Days ahead must be a whole number, 1-30" }],
    ["2.5", { ok: false, error: "Days ahead must be a whole number, 1-30" }],
    ["-3", { ok: false, error: "Days ahead must be a whole number, 1-30" }],
    ["0", { ok: false, error: "Days ahead must be 1-30" }],
    ["45", { ok: false, error: "Days ahead must be 1-30" }],
  ])("%j -> %j", (text, expected) => {
    expect(parseDaysAhead(text)).toEqual(expected);
  });
});

describe("parseChangeAlertMin", () => {
  it.each([
    ["3", { ok: true, value: 3 }],
    [" 1000 ", { ok: true, value: 1000 }],
    ["", { ok: true, value: null }],
    ["  ", { ok: true, value: null }],
    ["0", { ok: false, error: "Enter 1-1000 bookings, or leave it empty for never" }],
    ["1001", { ok: false, error: "Enter 1-1000 bookings, or leave it empty for never" }],
    ["2.5", { ok: false, error: "Enter a whole number of bookings, 1-1000, or leave it empty for never" }],
    ["three", { ok: false, error: "Enter a whole number of bookings, 1-1000, or leave it empty for never" }],
  ])("%j -> %j", (text, expected) => {
    expect(parseChangeAlertMin(text)).toEqual(expected);
  });
});

it("the form's bounds are the API's", () => {
  expect(CHANGE_ALERT_MAX).toBe(CHANGE_WEBHOOK_MIN_BOOKINGS_MAX);
  expect(FORM_DAYS_AHEAD_MAX).toBe(DAYS_AHEAD_MAX);
});

describe("recommendedInterval (the plan's table by room count)", () => {
  it.each([
    [null, null],
    [1, 30],
    [9, 30],
    [10, 15],
    [25, 15],
    [26, 10],
    [300, 10],
  ])("%p rooms -> %p", (rooms, minutes) => {
    expect(recommendedInterval(rooms)).toBe(minutes);
  });

  it("marks only the recommended interval", () => {
    expect(intervalLabel(10, 10)).toBe("Every 10 minutes (Recommended)");
    expect(intervalLabel(15, 10)).toBe("Every 15 minutes");
    expect(intervalLabel(15, null)).toBe("Every 15 minutes");
  });
});

describe("inPageWords", () => {
  it("names fields as the page labels them", () => {
    expect(inPageWords("days_ahead must be an integer between 1 and 30")).toBe(
      "Days ahead must be an integer between 1 and 30",
    );
    expect(inPageWords("busy_interval_minutes is required when busy_hours are set")).toBe(
      "Busy-hours interval is required when Busy hours are set",
    );
  });
});

describe("checkBusyHours", () => {
  it("accepts separate ranges with a faster interval", () => {
    const check = checkBusyHours(
      [
        { start: "16:00", end: "21:00" },
        { start: "06:00", end: "10:00" },
      ],
      5,
      15,
    );
    expect(check).toEqual({ ranges: [null, null], interval: null });
    expect(busyHoursOk(check)).toBe(true);
    expect(busyHoursOk(checkBusyHours([], null, 15))).toBe(true);
  });

  it("names the range and what is wrong with it", () => {
    const check = checkBusyHours(
      [
        { start: "06:00", end: "10:00" },
        { start: "09:30", end: "12:00" },
        { start: "22:00", end: "02:00" },
        { start: "", end: "11:00" },
      ],
      5,
      15,
    );
    expect(check.ranges).toEqual([
      null,
      "Busy hours 2 (09:30-12:00) overlaps busy hours 1 (06:00-10:00)",
      "Busy hours 3: the end (02:00) must be after the start (22:00); a range cannot cross midnight, split it in two",
      "Busy hours 4: enter a start and an end time",
    ]);
    expect(busyHoursOk(check)).toBe(false);
  });

  it("touching ranges do not overlap (the end is exclusive)", () => {
    expect(
      checkBusyHours(
        [
          { start: "06:00", end: "10:00" },
          { start: "10:00", end: "11:00" },
        ],
        5,
        15,
      ).ranges,
    ).toEqual([null, null]);
  });

  it("needs an interval faster than the normal one, and at most six ranges", () => {
    const one = [{ start: "06:00", end: "10:00" }];
    expect(checkBusyHours(one, null, 15).interval).toBe("Choose the interval for busy hours");
    expect(checkBusyHours(one, 15, 15).interval).toBe(
      "Busy-hours interval must be shorter than the normal interval (every 15 minutes)",
    );
    const seven = Array.from({ length: 7 }, (_, i) => ({ start: `0${i}:00`, end: `0${i}:30` }));
    expect(checkBusyHours(seven, 5, 15).interval).toBe("At most 6 busy-hours ranges");
  });
});

describe("runWindowText", () => {
  it("reads a 7-day next-days window as 7 days", () => {
    expect(runWindowText({ kind: "frequent", window_from: "2026-11-30", window_to: "2026-12-07" })).toBe(
      "7 days ahead",
    );
    expect(runWindowText({ kind: "frequent", window_from: "2026-11-30", window_to: "2026-12-01" })).toBe(
      "1 day ahead",
    );
  });

  it("counts a historical range's dates", () => {
    expect(runWindowText({ kind: "historical", window_from: "2026-11-01", window_to: "2026-11-07" })).toBe(
      "7 days",
    );
    expect(runWindowText({ kind: "historical", window_from: "2026-11-01", window_to: "2026-11-01" })).toBe(
      "1 day",
    );
  });
});
