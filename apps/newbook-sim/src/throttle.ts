/** Sliding one-minute window per credential, like Newbook's "100 requests per minute". */
export const WINDOW_MS = 60_000;

export type ThrottleResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class Throttle {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly limit: () => number,
    private readonly now: () => number,
  ) {}

  /** Records the request when allowed; denied requests do not consume budget. */
  hit(key: string): ThrottleResult {
    const t = this.now();
    const recent = (this.windows.get(key) ?? []).filter((at) => at > t - WINDOW_MS);
    const limit = this.limit();
    if (recent.length >= limit) {
      this.windows.set(key, recent);
      const oldestThatMustExpire = recent[recent.length - limit] ?? t;
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((oldestThatMustExpire + WINDOW_MS - t) / 1000)),
      };
    }
    recent.push(t);
    this.windows.set(key, recent);
    return { allowed: true };
  }

  reset(): void {
    this.windows.clear();
  }
}
