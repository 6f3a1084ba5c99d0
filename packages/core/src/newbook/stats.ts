import type { NewbookOutcome } from "./errors";

/** One HTTP attempt, as reported to `onRequest` and counted in `stats`. */
export interface NewbookRequestEvent {
  action: string;
  outcome: NewbookOutcome;
  durationMs: number;
  /** 0 for the first try, 1 for the first retry, ... */
  attempt: number;
}

export interface NewbookCallStats {
  /** HTTP attempts, retries included: what Newbook's rate limit counts. */
  totalCalls: number;
  totalMs: number;
  byAction: Record<string, Partial<Record<NewbookOutcome, number>>>;
}

export class NewbookCallCounter {
  private totalCalls = 0;
  private totalMs = 0;
  private readonly byAction = new Map<string, Map<NewbookOutcome, number>>();

  record(event: NewbookRequestEvent): void {
    this.totalCalls++;
    this.totalMs += event.durationMs;
    const outcomes = this.byAction.get(event.action) ?? new Map<NewbookOutcome, number>();
    outcomes.set(event.outcome, (outcomes.get(event.outcome) ?? 0) + 1);
    this.byAction.set(event.action, outcomes);
  }

  snapshot(): NewbookCallStats {
    const byAction: NewbookCallStats["byAction"] = {};
    for (const [action, outcomes] of this.byAction) byAction[action] = Object.fromEntries(outcomes);
    return { totalCalls: this.totalCalls, totalMs: this.totalMs, byAction };
  }
}
