/** How one Newbook call ended; the metrics layer labels `newbook_requests_total` with it. */
export type NewbookOutcome =
  | "ok"
  | "throttled"
  | "server_error"
  | "network_error"
  | "timeout"
  | "auth_error"
  | "api_error"
  | "protocol_error";

export type NewbookErrorCode = "auth" | "api" | "throttled" | "server" | "network" | "timeout" | "protocol";

/** Every failure of a Newbook call; `message` is written for a hotel manager, not a developer. */
export abstract class NewbookError extends Error {
  abstract readonly code: NewbookErrorCode;
  abstract readonly outcome: Exclude<NewbookOutcome, "ok">;
  abstract readonly retryable: boolean;

  constructor(
    message: string,
    readonly action: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type AuthRejection = "basic" | "api_key";

export class NewbookAuthError extends NewbookError {
  readonly code = "auth";
  readonly outcome = "auth_error";
  readonly retryable = false;

  constructor(
    action: string,
    readonly rejected: AuthRejection,
    status: number | null,
    /** Newbook's own wording, for support. */
    readonly newbookMessage: string | null = null,
  ) {
    super(
      rejected === "basic"
        ? "Newbook rejected the username or password"
        : "Newbook rejected the API key or region",
      action,
      status,
    );
  }
}

export class NewbookApiError extends NewbookError {
  readonly code = "api";
  readonly outcome = "api_error";
  readonly retryable = false;

  constructor(
    action: string,
    readonly newbookMessage: string,
    status: number | null,
    /** Newbook does not know the action name (some accounts only know an alias). */
    readonly unknownAction = false,
  ) {
    super(`Newbook refused the request (${action}): ${newbookMessage}`, action, status);
  }
}

export class NewbookThrottledError extends NewbookError {
  readonly code = "throttled";
  readonly outcome = "throttled";
  readonly retryable = true;

  constructor(
    action: string,
    status: number | null,
    /** From Retry-After; null when Newbook did not say. */
    readonly retryAfterMs: number | null,
  ) {
    super("Newbook is limiting the request rate for this connection; retrying later", action, status);
  }
}

export class NewbookServerError extends NewbookError {
  readonly code = "server";
  readonly outcome = "server_error";
  readonly retryable = true;

  constructor(action: string, status: number) {
    super(`Newbook had a server problem (HTTP ${status}) answering ${action}`, action, status);
  }
}

export class NewbookNetworkError extends NewbookError {
  readonly code = "network";
  readonly outcome = "network_error";
  readonly retryable = true;

  constructor(
    action: string,
    readonly networkCode: string,
  ) {
    super(`Could not reach Newbook (${networkCode}) for ${action}`, action);
  }
}

export type TimeoutPhase = "connect" | "response";

export class NewbookTimeoutError extends NewbookError {
  readonly code = "timeout";
  readonly outcome = "timeout";
  readonly retryable = true;

  constructor(
    action: string,
    readonly phase: TimeoutPhase,
    readonly timeoutMs: number,
  ) {
    super(
      phase === "connect"
        ? `Could not connect to Newbook within ${timeoutMs} ms (${action})`
        : `Newbook did not answer ${action} within ${timeoutMs} ms`,
      action,
    );
  }
}

/** Newbook answered something we cannot read: broken JSON or a shape other than the documented one. */
export class NewbookProtocolError extends NewbookError {
  readonly code = "protocol";
  readonly outcome = "protocol_error";
  /** Usually a truncated body; worth a retry or two, never more (see retry.ts). */
  readonly retryable: boolean;

  constructor(
    action: string,
    readonly detail: string,
    /** The offending field path ("data.3.booking_arrival"), when a field is to blame. */
    readonly field: string | null = null,
    status: number | null = null,
    retryable = true,
  ) {
    super(
      `Newbook sent an unexpected answer to ${action}${field ? ` (field ${field})` : ""}: ${detail}`,
      action,
      status,
    );
    this.retryable = retryable;
  }
}
