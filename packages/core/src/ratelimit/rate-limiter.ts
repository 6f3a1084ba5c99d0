import { createHash } from "node:crypto";

/** Grants request slots for one Newbook credential; every process sharing a credential shares its budget. */
export interface RateLimiter {
  /**
   * Resolves when this caller may send one request; rejects with RateLimitWaitError past its max wait.
   * `label` names the credential for people (username@host/region, see credentialLabel).
   */
  acquire(credentialKey: string, label?: string): Promise<void>;
  /** Optional: secures slots for the next `requests` requests at once (see RunBudget). */
  reserve?(credentialKey: string, requests: number, label?: string): Promise<void>;
  /** Newbook answered 429 for this credential (optional: only the shared limiter keeps count). */
  noteThrottled?(credentialKey: string): Promise<void>;
  /**
   * Optional: the error that ends the run instead of waiting `waitMs` for Newbook (a worker's run gives
   * its slot back: see RunBudget). Without it, the client waits in place.
   */
  deferFor?(credentialKey: string, waitMs: number, reason: string): Error;
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

/** A credential as people know it, without any secret: "username@host/region". */
export function credentialLabel(credential: { baseUrl: string; username: string; region: string }): string {
  let host: string;
  try {
    host = new URL(credential.baseUrl).host;
  } catch {
    host = credential.baseUrl;
  }
  return `${credential.username}@${host}/${credential.region}`;
}

/** Identifies a credential without revealing it: the key ends up in Redis and in logs. */
export function credentialKey(credential: { baseUrl: string; username: string; apiKey: string }): string {
  return createHash("sha256")
    .update(`${credential.baseUrl}|${credential.username}|${credential.apiKey}`)
    .digest("hex")
    .slice(0, 16);
}
