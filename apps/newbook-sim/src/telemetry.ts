/** Request counters and a bounded request log, read through the control API by tests and benchmarks. */
export type Outcome = "ok" | "throttled" | "fault" | "auth_error" | "error";

export interface LogParams {
  list_type?: string;
  period_from?: string;
  period_to?: string;
  data_offset?: string | number;
  data_limit?: string | number;
}

export interface LogEntry {
  seq: number;
  /** ISO with milliseconds; the moment the request arrived (same as started_at). */
  at: string;
  started_at: string;
  finished_at: string | null;
  username: string | null;
  property_id: string | null;
  action: string;
  params: LogParams;
  status: number | null;
  outcome: Outcome | null;
}

interface CredentialCounters {
  total: number;
  actions: Record<string, number>;
  outcomes: Record<Outcome, number>;
}

const emptyOutcomes = (): Record<Outcome, number> => ({
  ok: 0,
  throttled: 0,
  fault: 0,
  auth_error: 0,
  error: 0,
});

const MAX_LOG = 20_000;

export class Telemetry {
  private seq = 0;
  private log: LogEntry[] = [];
  private counters = new Map<string, CredentialCounters>();

  constructor(private readonly now: () => number) {}

  start(action: string, params: LogParams): LogEntry {
    const at = new Date(this.now()).toISOString();
    const entry: LogEntry = {
      seq: ++this.seq,
      at,
      started_at: at,
      finished_at: null,
      username: null,
      property_id: null,
      action,
      params,
      status: null,
      outcome: null,
    };
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    return entry;
  }

  finish(entry: LogEntry, status: number, outcome: Outcome): void {
    if (entry.finished_at !== null) return;
    entry.finished_at = new Date(this.now()).toISOString();
    entry.status = status;
    entry.outcome = outcome;
    const key = entry.username ?? "(anonymous)";
    const c = this.counters.get(key) ?? { total: 0, actions: {}, outcomes: emptyOutcomes() };
    c.total++;
    c.actions[entry.action] = (c.actions[entry.action] ?? 0) + 1;
    c.outcomes[outcome]++;
    this.counters.set(key, c);
  }

  since(seq: number): LogEntry[] {
    return this.log.filter((e) => e.seq > seq);
  }

  snapshot(): {
    total: number;
    outcomes: Record<Outcome, number>;
    credentials: Record<string, CredentialCounters>;
  } {
    const outcomes = emptyOutcomes();
    let total = 0;
    const credentials: Record<string, CredentialCounters> = {};
    for (const [key, c] of this.counters) {
      credentials[key] = { total: c.total, actions: { ...c.actions }, outcomes: { ...c.outcomes } };
      total += c.total;
      for (const o of Object.keys(outcomes) as Outcome[]) outcomes[o] += c.outcomes[o];
    }
    return { total, outcomes, credentials };
  }

  reset(): void {
    this.log = [];
    this.counters.clear();
  }
}
