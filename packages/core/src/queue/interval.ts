/** Longest interval a backing-off kitchen is pushed to, in (scaled) minutes. */
export const MAX_EFFECTIVE_INTERVAL_MINUTES = 60;

/**
 * The interval a kitchen actually runs at: its configured interval, doubled for each consecutive
 * failed run beyond the back-off threshold, never above an hour (nor below the configured interval).
 */
export function effectiveIntervalMinutes(
  interval: number,
  consecutiveFailures: number,
  backoffAfterFailures: number,
): number {
  const doublings = Math.max(0, consecutiveFailures - backoffAfterFailures + 1);
  if (doublings === 0) return interval;
  // Cap the exponent first: 2 ** 1000 would be Infinity and hide the cap's intent.
  const backedOff = interval * 2 ** Math.min(doublings, 16);
  return Math.max(interval, Math.min(backedOff, MAX_EFFECTIVE_INTERVAL_MINUTES));
}
