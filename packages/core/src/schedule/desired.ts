import { CREDENTIALS_REJECTED_ERROR } from "../alerts/policy";
import { effectiveIntervalMinutes } from "../queue/interval";
import type { ScheduleOptions } from "../queue/schedule";
import { type BusyWindow, inBusyHours, nextBusyStart } from "./busy-hours";

/** Everything that decides a kitchen's schedule, as PostgreSQL holds it (the source of truth). */
export interface KitchenScheduleState {
  kitchenId: number;
  timezone: string;
  isEnabled: boolean;
  hasConnection: boolean;
  /** The connection has proved to work (a passed test or a successful sync) since it was last changed. */
  connectionVerified: boolean;
  syncIntervalMinutes: number;
  busyHours: BusyWindow[];
  busyIntervalMinutes: number | null;
  consecutiveFailures: number;
  lastErrorCode: string | null;
  lastSyncAt: Date | null;
  lastSuccessAt: Date | null;
  nextSyncAt: Date | null;
  createdAt: Date;
}

export const SCHEDULE_OFF_REASONS = [
  "disabled",
  "not_connected",
  "connection_untested",
  "credentials_rejected",
] as const;
export type ScheduleOffReason = (typeof SCHEDULE_OFF_REASONS)[number];

export type DesiredSchedule =
  | { on: false; reason: ScheduleOffReason }
  | {
      on: true;
      /** Period from the next run on, in ms. */
      everyMs: number;
      /** When the next run is due (may be in the past: then it is due now). */
      startAt: number;
      /** The interval in (scaled) minutes that `everyMs` stands for, and whether it is the busy one. */
      intervalMinutes: number;
      busy: boolean;
    };

export function scheduleOffReason(state: KitchenScheduleState): ScheduleOffReason | null {
  if (!state.isEnabled) return "disabled";
  if (!state.hasConnection) return "not_connected";
  // A new or changed connection syncs on its own only once it has worked: saved-anyway credentials that
  // Newbook rejected would otherwise fail (and alert) on every interval.
  if (!state.connectionVerified) return "connection_untested";
  // Retrying a rejected login cannot help and may lock the hotel's Newbook account: wait for new credentials.
  if (state.lastErrorCode === CREDENTIALS_REJECTED_ERROR) return "credentials_rejected";
  return null;
}

/**
 * The interval that applies at `instant`: the busy one inside the kitchen's busy hours (local wall-clock
 * time, so DST changes move the windows with the clocks), else the normal one. A failing kitchen backs off
 * from its normal interval and ignores busy hours: speeding up would only fail faster.
 */
export function intervalMinutesAt(
  state: KitchenScheduleState,
  opts: ScheduleOptions,
  instant: Date,
): { minutes: number; busy: boolean } {
  const backingOff = state.consecutiveFailures >= opts.backoffAfterFailures;
  if (
    !backingOff &&
    state.busyIntervalMinutes !== null &&
    inBusyHours(state.busyHours, state.timezone, instant)
  )
    return { minutes: state.busyIntervalMinutes, busy: true };
  return {
    minutes: effectiveIntervalMinutes(
      state.syncIntervalMinutes,
      state.consecutiveFailures,
      opts.backoffAfterFailures,
    ),
    busy: false,
  };
}

/**
 * The schedule the kitchen should have: off with a reason, or the next run and the period from then on.
 * The next run counts from the last one (so changing an interval or recreating a lost scheduler does not
 * fire an extra sync), comes forward to the start of busy hours, and is "now" for a kitchen never synced.
 */
export function desiredSchedule(
  state: KitchenScheduleState,
  opts: ScheduleOptions,
  now: Date,
): DesiredSchedule {
  const reason = scheduleOffReason(state);
  if (reason) return { on: false, reason };
  let startAt = now.getTime();
  if (state.lastSyncAt) {
    const last = state.lastSyncAt;
    startAt = last.getTime() + intervalMinutesAt(state, opts, last).minutes * opts.minuteMs;
    const busyStart =
      state.busyIntervalMinutes !== null && state.consecutiveFailures < opts.backoffAfterFailures
        ? nextBusyStart(state.busyHours, state.timezone, last)
        : null;
    if (busyStart !== null && busyStart < startAt) startAt = busyStart;
  }
  const at = intervalMinutesAt(state, opts, new Date(Math.max(startAt, now.getTime())));
  return {
    on: true,
    everyMs: at.minutes * opts.minuteMs,
    startAt,
    intervalMinutes: at.minutes,
    busy: at.busy,
  };
}
