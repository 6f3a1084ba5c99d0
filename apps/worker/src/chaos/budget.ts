/** One request as Newbook (the simulator) saw it arrive. */
export interface ArrivedRequest {
  username: string | null;
  at: number;
}

export interface CredentialUsage {
  username: string;
  requests: number;
  /** The most requests that arrived within any window of `windowMs`. */
  busiestWindow: number;
}

/** The most of these instants that fall within one half-open window [t, t + windowMs). */
export function busiestWindow(instants: readonly number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let busiest = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    busiest = Math.max(busiest, last - first + 1);
  }
  return busiest;
}

/** Per credential: how close the requests came to a budget of so many per `windowMs`. */
export function usageByCredential(requests: readonly ArrivedRequest[], windowMs: number): CredentialUsage[] {
  const byUser = new Map<string, number[]>();
  for (const r of requests) {
    const username = r.username ?? "(anonymous)";
    const instants = byUser.get(username) ?? [];
    instants.push(r.at);
    byUser.set(username, instants);
  }
  return [...byUser].map(([username, instants]) => ({
    username,
    requests: instants.length,
    busiestWindow: busiestWindow(instants, windowMs),
  }));
}
