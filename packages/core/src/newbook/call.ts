import type { Logger } from "../logger";
import type { RateLimiter } from "../ratelimit";
import type { EnvelopeParser, KnownAnswer } from "./answers";
import { classifyAnswer } from "./classify";
import { type NewbookError, NewbookThrottledError } from "./errors";
import { type NewbookRetryPolicy, nextRetryDelay, pauseTooLongToWait } from "./retry";
import { NewbookCallCounter, type NewbookRequestEvent } from "./stats";
import type { NewbookTransport } from "./transport";

export interface NewbookCallerOptions {
  transport: NewbookTransport;
  policy: NewbookRetryPolicy;
  credentialKey: string;
  credentialLabel: string;
  /** Consulted before every HTTP attempt, retries included. */
  rateLimiter?: RateLimiter;
  onRequest?: (event: NewbookRequestEvent) => void;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  logger?: Logger;
}

type Attempt<T> = { ok: true; value: T } | { ok: false; error: NewbookError };

/**
 * Runs one action to its end: a rate-limit slot, an HTTP attempt, classification and parsing, and while
 * the retry policy (retry.ts) allows, a wait and another attempt. Counts every attempt. A pause Newbook
 * asks for that is too long to wait in place ends the call with the limiter's deferral, when it has one.
 */
export class NewbookCaller {
  readonly counter = new NewbookCallCounter();

  constructor(private readonly options: NewbookCallerOptions) {}

  /**
   * Secures rate-limit slots for the next `requests` requests at once, before sending any of them, when
   * the limiter reserves (a worker's run: RunBudget); otherwise each request takes its slot as it goes.
   */
  async reserve(requests: number): Promise<void> {
    const { rateLimiter, credentialKey, credentialLabel } = this.options;
    await rateLimiter?.reserve?.(credentialKey, requests, credentialLabel);
  }

  async call<T>(
    action: string,
    params: Record<string, unknown>,
    parse: EnvelopeParser<T>,
    known?: KnownAnswer<T>,
  ): Promise<T> {
    const { rateLimiter, credentialKey, credentialLabel, now } = this.options;
    const started = now();
    for (let retries = 0; ; retries++) {
      await rateLimiter?.acquire(credentialKey, credentialLabel);
      const result = await this.attempt(action, params, retries, parse, known);
      if (result.ok) return result.value;
      const { error } = result;
      if (error instanceof NewbookThrottledError)
        // Bookkeeping for the fleet view only: its failure must not change the request's outcome.
        await rateLimiter?.noteThrottled?.(credentialKey).catch(() => undefined);
      const pauseMs = pauseTooLongToWait(error);
      if (pauseMs !== null && rateLimiter?.deferFor) {
        const seconds = Math.ceil(pauseMs / 1000);
        throw rateLimiter.deferFor(
          credentialKey,
          pauseMs,
          `Newbook asked this connection to pause for ${seconds} s`,
        );
      }
      const delayMs = nextRetryDelay({
        error,
        retriesSoFar: retries,
        elapsedMs: now() - started,
        retryAfterMs: error instanceof NewbookThrottledError ? error.retryAfterMs : null,
        policy: this.options.policy,
        random: this.options.random,
      });
      if (delayMs === null) throw error;
      this.options.logger?.warn("Newbook request failed; retrying", {
        action,
        outcome: error.outcome,
        status: error.status,
        attempt: retries,
        delayMs,
        reason: error.message,
      });
      await this.options.sleep(delayMs);
    }
  }

  private async attempt<T>(
    action: string,
    params: Record<string, unknown>,
    attempt: number,
    parse: EnvelopeParser<T>,
    known?: KnownAnswer<T>,
  ): Promise<Attempt<T>> {
    const { now } = this.options;
    const started = now();
    const result = await this.options.transport
      .send(action, params)
      .then(async (sent): Promise<Attempt<T>> => {
        if (!sent.ok) return sent;
        const recognised = sent.answer.status === 200 ? await known?.(sent.answer.raw) : null;
        if (recognised) return { ok: true, value: recognised.value };
        const classified = classifyAnswer(action, sent.answer, now());
        return classified.ok ? parse(classified.envelope, sent.answer.raw) : classified;
      });
    const event: NewbookRequestEvent = {
      action,
      outcome: result.ok ? "ok" : result.error.outcome,
      durationMs: now() - started,
      attempt,
    };
    this.counter.record(event);
    this.options.onRequest?.(event);
    return result;
  }
}
