/**
 * What a kitchen manager reads about a failure: plain words, who has to act, what happens next, times on
 * the kitchen's clock. The technical text ("bookings_list within 8000 ms") stays on the run for admins.
 */

import { clockTimeIn } from "../time";

/** Who can make the problem go away: the reader, Newbook, or us (the operators of this service). */
export type Actor = "you" | "newbook" | "us";

export interface ReaderError {
  text: string;
  actor: Actor;
}

/** The reader's version of a run's error code (see describeSyncError for the codes). */
export function readerErrorFor(code: string): ReaderError {
  switch (code) {
    case "newbook_auth":
      return {
        text: "Newbook rejected the login — update the password or API key in Settings",
        actor: "you",
      };
    case "configuration":
      return { text: "The Newbook connection is not set up — complete it in Settings", actor: "you" };
    case "newbook_timeout":
    case "newbook_network":
    case "newbook_server":
      return { text: "Newbook is not answering at the moment", actor: "newbook" };
    case "newbook_throttled":
      return { text: "Newbook asked us to slow down", actor: "newbook" };
    case "newbook_api":
      return { text: "Newbook refused a request for this hotel's data", actor: "us" };
    case "newbook_protocol":
      return { text: "Newbook sent data we could not read", actor: "us" };
    case "validation":
      return { text: "The requested dates cannot be synced", actor: "you" };
    default:
      return { text: "A problem on our side stopped the sync", actor: "us" };
  }
}

const WHO_ACTS: Record<Actor, string> = {
  you: "You need to act",
  newbook: "This is on Newbook's side; nothing for you to do",
  us: "We have been told; nothing for you to do",
};

export interface FailureAlertInput {
  code: string;
  consecutiveFailures: number;
  timeZone: string;
  /** The last successful sync (null: never). */
  lastSuccessAt: Date | null;
  /** The next automatic try; null when none is scheduled. */
  nextSyncAt: Date | null;
}

/** The text of a kitchen's failure alert (consecutive failures or rejected credentials). */
export function failureAlertText(input: FailureAlertInput): string {
  const { text, actor } = readerErrorFor(input.code);
  const since = input.lastSuccessAt
    ? `no successful sync since ${clockTimeIn(input.timeZone, input.lastSuccessAt)}`
    : "no successful sync yet";
  const failures =
    input.consecutiveFailures === 1 ? "1 failed sync" : `${input.consecutiveFailures} failed syncs in a row`;
  const next = input.nextSyncAt
    ? `Retrying automatically at ${clockTimeIn(input.timeZone, input.nextSyncAt)}.`
    : actor === "you"
      ? "Automatic sync is paused until then."
      : "Automatic sync is off.";
  return `${text} (${failures}, ${since}). ${WHO_ACTS[actor]}. ${next}`;
}

export interface StaleAlertInput {
  syncIntervalMinutes: number;
  timeZone: string;
  /** The last successful sync (null: never). */
  lastSuccessAt: Date | null;
}

/** The text of a stale alert: no success within twice the interval, said on the kitchen's clock. */
export function staleAlertText(input: StaleAlertInput): string {
  const since = input.lastSuccessAt
    ? `No successful sync since ${clockTimeIn(input.timeZone, input.lastSuccessAt)}`
    : "No successful sync yet";
  return `${since}, although the kitchen syncs every ${input.syncIntervalMinutes} minutes. The figures may be out of date; the status in Settings says why.`;
}
