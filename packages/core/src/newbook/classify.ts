import { z } from "zod";
import {
  NewbookApiError,
  NewbookAuthError,
  type NewbookError,
  NewbookNetworkError,
  NewbookProtocolError,
  NewbookServerError,
  NewbookThrottledError,
  NewbookTimeoutError,
} from "./errors";
import { parseRetryAfter } from "./retry";

/** What came back over HTTP, before any interpretation. */
export interface HttpAnswer {
  status: number;
  retryAfter: string | undefined;
  /** The body as text (UTF-8). */
  body: string;
}

export type Envelope = Record<string, unknown> & { success: string | boolean };

export type Classified = { ok: true; envelope: Envelope } | { ok: false; error: NewbookError };

// Newbook's wording is not documented; these match the simulator's messages and the usual variants.
const THROTTLE_MESSAGE = /rate.?limit|too many requests|throttl/i;
const BASIC_AUTH_MESSAGE = /user.?name|password/i;
const API_KEY_MESSAGE = /api.?key|region|credential|auth/i;
const UNKNOWN_ACTION_MESSAGE =
  /(unknown|invalid|unsupported) (request.?)?action|action .*not (found|supported)/i;

const envelopeSchema = z.looseObject({
  success: z.union([z.string(), z.boolean()]),
  message: z.union([z.string(), z.number()]).optional(),
});

function isSuccess(success: string | boolean): boolean {
  return success === true || (typeof success === "string" && success.trim().toLowerCase() === "true");
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

function messageOf(value: unknown): string | null {
  const parsed = envelopeSchema.safeParse(value);
  return parsed.success && parsed.data.message !== undefined ? String(parsed.data.message) : null;
}

/** Turns one HTTP answer into the envelope or the typed error it stands for. */
export function classifyAnswer(action: string, answer: HttpAnswer, nowMs: number): Classified {
  const { status } = answer;
  const json = parseJson(answer.body);
  const message = json.ok ? messageOf(json.value) : null;
  const fail = (error: NewbookError): Classified => ({ ok: false, error });

  if (status === 401) return fail(new NewbookAuthError(action, "basic", status, message));
  if (status === 403) {
    const rejected = message && BASIC_AUTH_MESSAGE.test(message) ? "basic" : "api_key";
    return fail(new NewbookAuthError(action, rejected, status, message));
  }
  if (status === 429 || (message !== null && THROTTLE_MESSAGE.test(message))) {
    return fail(new NewbookThrottledError(action, status, parseRetryAfter(answer.retryAfter, nowMs)));
  }
  if (status >= 500) return fail(new NewbookServerError(action, status));
  if (!json.ok) {
    if (status >= 200 && status < 300) {
      return fail(
        new NewbookProtocolError(action, `the body is not valid JSON (${json.reason})`, null, status),
      );
    }
    return fail(new NewbookApiError(action, `HTTP ${status}`, status, status === 404));
  }

  const envelope = envelopeSchema.safeParse(json.value);
  if (!envelope.success) {
    return fail(new NewbookProtocolError(action, "the answer has no success flag", "success", status));
  }
  if (isSuccess(envelope.data.success)) return { ok: true, envelope: envelope.data };

  const text = message ?? "no message";
  if (BASIC_AUTH_MESSAGE.test(text)) return fail(new NewbookAuthError(action, "basic", status, text));
  if (API_KEY_MESSAGE.test(text)) return fail(new NewbookAuthError(action, "api_key", status, text));
  const unknownAction = status === 404 || UNKNOWN_ACTION_MESSAGE.test(text);
  return fail(new NewbookApiError(action, text, status, unknownAction));
}

/** The code Node's socket gets when our connect timer fires (see http-agent.ts). */
export const CONNECT_TIMEOUT_CODE = "ECONNECT_TIMEOUT";

export interface TransportFailure {
  /** Error code from the socket or axios (ECONNREFUSED, ECONNABORTED, ...). */
  code: string | undefined;
  /** Our total-time budget for the attempt ran out. */
  totalTimedOut: boolean;
}

/** A request that produced no HTTP answer at all. */
export function classifyTransportFailure(
  action: string,
  failure: TransportFailure,
  timeouts: { timeoutMs: number; connectTimeoutMs: number },
): NewbookError {
  if (failure.code === CONNECT_TIMEOUT_CODE) {
    return new NewbookTimeoutError(action, "connect", timeouts.connectTimeoutMs);
  }
  if (failure.totalTimedOut || failure.code === "ECONNABORTED" || failure.code === "ETIMEDOUT") {
    return new NewbookTimeoutError(action, "response", timeouts.timeoutMs);
  }
  return new NewbookNetworkError(action, failure.code ?? "unknown network error");
}

/** A zod failure on an envelope as a protocol error naming the first offending field ("data.3.booking_id"). */
export function protocolErrorFromZod(action: string, error: z.ZodError, under: string[] = []): NewbookError {
  const issue = error.issues[0];
  const field = [...under, ...(issue?.path ?? []).map(String)].join(".");
  return new NewbookProtocolError(action, issue?.message ?? "invalid data", field || null);
}
