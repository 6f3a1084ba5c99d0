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

/** Per kind of failure: its metrics outcome, and whether another attempt may help (see retry.ts). */
const KINDS = {
  auth: { outcome: "auth_error", retryable: false },
  api: { outcome: "api_error", retryable: false },
  throttled: { outcome: "throttled", retryable: true },
  server: { outcome: "server_error", retryable: true },
  network: { outcome: "network_error", retryable: true },
  timeout: { outcome: "timeout", retryable: true },
  // Usually a truncated body; worth a retry or two, never more (see retry.ts).
  protocol: { outcome: "protocol_error", retryable: true },
} as const satisfies Record<NewbookErrorCode, { outcome: Exclude<NewbookOutcome, "ok">; retryable: boolean }>;

/** Every failure of a Newbook call; `message` is written for a hotel manager, not a developer. */
export abstract class NewbookError<C extends NewbookErrorCode = NewbookErrorCode> extends Error {
  readonly outcome: (typeof KINDS)[C]["outcome"];
  readonly retryable: boolean;

  constructor(
    readonly code: C,
    message: string,
    readonly action: string,
    readonly status: number | null = null,
    retryable: boolean = KINDS[code].retryable,
  ) {
    super(message);
    this.name = new.target.name;
    this.outcome = KINDS[code].outcome;
    this.retryable = retryable;
  }
}

export type AuthRejection = "basic" | "api_key";

export class NewbookAuthError extends NewbookError<"auth"> {
  constructor(
    action: string,
    readonly rejected: AuthRejection,
    status: number | null,
    /** Newbook's own wording, for support. */
    readonly newbookMessage: string | null = null,
  ) {
    super(
      "auth",
      rejected === "basic"
        ? "Newbook rejected the username or password"
        : "Newbook rejected the API key or region",
      action,
      status,
    );
  }
}

export class NewbookApiError extends NewbookError<"api"> {
  constructor(
    action: string,
    readonly newbookMessage: string,
    status: number | null,
    /** Newbook does not know the action name (some accounts only know an alias). */
    readonly unknownAction = false,
  ) {
    super("api", `Newbook refused the request (${action}): ${newbookMessage}`, action, status);
  }
}

export class NewbookThrottledError extends NewbookError<"throttled"> {
  constructor(
    action: string,
    status: number | null,
    /** From Retry-After; null when Newbook did not say. */
    readonly retryAfterMs: number | null,
  ) {
    super(
      "throttled",
      "Newbook is limiting the request rate for this connection; retrying later",
      action,
      status,
    );
  }
}

export class NewbookServerError extends NewbookError<"server"> {
  constructor(action: string, status: number) {
    super("server", `Newbook had a server problem (HTTP ${status}) answering ${action}`, action, status);
  }
}

export class NewbookNetworkError extends NewbookError<"network"> {
  constructor(
    action: string,
    readonly networkCode: string,
  ) {
    super("network", `Could not reach Newbook (${networkCode}) for ${action}`, action);
  }
}

export type TimeoutPhase = "connect" | "response";

export class NewbookTimeoutError extends NewbookError<"timeout"> {
  constructor(
    action: string,
    readonly phase: TimeoutPhase,
    readonly timeoutMs: number,
  ) {
    super(
      "timeout",
      phase === "connect"
        ? `Could not connect to Newbook within ${timeoutMs} ms (${action})`
        : `Newbook did not answer ${action} within ${timeoutMs} ms`,
      action,
    );
  }
}

/** Newbook answered something we cannot read: broken JSON or a shape other than the documented one. */
export class NewbookProtocolError extends NewbookError<"protocol"> {
  constructor(
    action: string,
    readonly detail: string,
    /** The offending field path ("data.3.booking_arrival"), when a field is to blame. */
    readonly field: string | null = null,
    status: number | null = null,
    retryable = true,
  ) {
    super(
      "protocol",
      `Newbook sent an unexpected answer to ${action}${field ? ` (field ${field})` : ""}: ${detail}`,
      action,
      status,
      retryable,
    );
  }
}
