import { sleep } from "@occ/testkit";

/**
 * Polls `probe` until it returns something truthy. A probe that throws counts as "not yet": during a
 * disruption the database or Redis may be briefly unreachable. Null on timeout, never an exception,
 * so a scenario records a failed invariant instead of aborting.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) return null;
    await sleep(intervalMs);
  }
}
