/** One request as Newbook (the simulator) saw it arrive. */
export interface ArrivedRequest {
  username: string | null;
  at: number;
}

export interface CredentialUsage {
  username: string;
  requests: number;
  /** The most requests that arrived within any window of the budget's length. */
  busiestWindow: number;
  /** The shortest time in which one request more than the budget allows arrived (Infinity: never). */
  closestOverBudget: number;
}

/** The most of these instants that fall within one half-open window [t, t + windowMs). */
export function busiestWindow(sorted: readonly number[], windowMs: number): number {
  let busiest = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    busiest = Math.max(busiest, last - first + 1);
  }
  return busiest;
}

/** The shortest span covering `count` of these instants; Infinity when there are fewer. */
export function closestSpan(sorted: readonly number[], count: number): number {
  let closest = Number.POSITIVE_INFINITY;
  for (let first = 0; first + count - 1 < sorted.length; first++)
    closest = Math.min(closest, sorted[first + count - 1]! - sorted[first]!);
  return closest;
}

/** Per credential: how close its requests came to a budget of `limit` per `windowMs`. */
export function usageByCredential(
  requests: readonly ArrivedRequest[],
  budget: { limit: number; windowMs: number },
): CredentialUsage[] {
  const byUser = new Map<string, number[]>();
  for (const r of requests) {
    const username = r.username ?? "(anonymous)";
    const instants = byUser.get(username) ?? [];
    instants.push(r.at);
    byUser.set(username, instants);
  }
  return [...byUser].map(([username, instants]) => {
    const sorted = instants.sort((a, b) => a - b);
    return {
      username,
      requests: sorted.length,
      busiestWindow: busiestWindow(sorted, budget.windowMs),
      closestOverBudget: closestSpan(sorted, budget.limit + 1),
    };
  });
}
