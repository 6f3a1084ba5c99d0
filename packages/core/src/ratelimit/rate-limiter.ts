import { createHash } from "node:crypto";

/** Grants request slots for one Newbook credential; every process sharing a credential shares its budget. */
export interface RateLimiter {
  /** Resolves when this caller may send one request; rejects with RateLimitWaitError past its max wait. */
  acquire(credentialKey: string): Promise<void>;
  /** Optional: secures slots for the next `requests` requests at once (see RunBudget). */
  reserve?(credentialKey: string, requests: number): Promise<void>;
}

export class RateLimitWaitError extends Error {
  constructor(
    readonly credentialKey: string,
    readonly waitedMs: number,
  ) {
    super(
      `Waited ${waitedMs} ms for a free Newbook request slot without getting one: this connection's ` +
        "request budget is used up by other work; try again later",
    );
    this.name = "RateLimitWaitError";
  }
}

/** Identifies a credential without revealing it: the key ends up in Redis and in logs. */
export function credentialKey(credential: { baseUrl: string; username: string; apiKey: string }): string {
  return createHash("sha256")
    .update(`${credential.baseUrl}|${credential.username}|${credential.apiKey}`)
    .digest("hex")
    .slice(0, 16);
}
