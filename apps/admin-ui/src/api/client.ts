/** Typed fetch client: bearer token from localStorage, JSON in/out, errors carry the API error shape. */
import type { ApiErrorBody, ApiPath, FieldIssue, PathParams } from "@occ/api";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldIssue[];
  /** The error's details as the API sent them (an object for some errors, e.g. a failed connection test). */
  readonly rawDetails: ApiErrorBody["details"];

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    // Validation errors carry field issues; others an object (e.g. a failed connection test) or null.
    this.details = Array.isArray(body.details) ? body.details : [];
    this.rawDetails = body.details;
  }
}

/**
 * Whether asking again may give another answer: no answer at all (offline, timed out), a server error,
 * or throttling. A refused request (400, 403, 409…) would only be refused again.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status >= 500 || error.status === 408 || error.status === 429;
}

const TOKEN_KEY = "occ.token";
const KITCHEN_SCOPE_KEY = "occ.kitchenScope";

export const tokenStore = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (token: string): void => localStorage.setItem(TOKEN_KEY, token),
  clear: (): void => localStorage.removeItem(TOKEN_KEY),
};

/** Admins look at one kitchen at a time; the API takes it as ?kitchen_id=. */
export const kitchenScopeStore = {
  get: (): number | null => {
    const raw = localStorage.getItem(KITCHEN_SCOPE_KEY);
    return raw === null ? null : Number(raw);
  },
  set: (kitchenId: number | null): void => {
    if (kitchenId === null) localStorage.removeItem(KITCHEN_SCOPE_KEY);
    else localStorage.setItem(KITCHEN_SCOPE_KEY, String(kitchenId));
  },
};

type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Record<string, QueryValue>;
  /** Kitchen-scoped resources carry the admin's selected kitchen; auth and admin endpoints do not. */
  scoped?: boolean;
}

/** One of the contract's paths with its `:name` segments filled in (encoded). */
export function pathTo<P extends ApiPath>(path: P, params: Record<PathParams<P>, string | number>): string {
  return path.replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent(String((params as Record<string, string | number>)[name])),
  );
}

function buildUrl(path: string, query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

function isErrorEnvelope(value: unknown): value is { error: ApiErrorBody } {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === "object" && error !== null && "message" in error;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

// Longer than the API's slowest answer (a connection save tests Newbook first, NEWBOOK_TEST_TIMEOUT_MS);
// past it a request is reported as failed instead of leaving "Saving…" on screen.
const REQUEST_TIMEOUT_MS = 30_000;

let unauthorizedHandler: (() => void) | null = null;

/** Called when a request with a token comes back 401: the session is over. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = "GET", body, query = {}, scoped = true } = options;
  const kitchenId = scoped ? kitchenScopeStore.get() : null;
  const url = buildUrl(path, kitchenId === null ? query : { ...query, kitchen_id: kitchenId });
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = tokenStore.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";

  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let response: Response;
  let payload: unknown;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal: timeout,
    });
    payload = await readJson(response);
  } catch {
    throw new ApiError(
      0,
      timeout.aborted
        ? {
            code: "timeout",
            message: "The server did not answer in time. Check your connection.",
            details: null,
          }
        : {
            code: "network_error",
            message: "Cannot reach the server. Check your connection.",
            details: null,
          },
    );
  }

  if (!response.ok) {
    if (response.status === 401 && token) unauthorizedHandler?.();
    if (isErrorEnvelope(payload)) throw new ApiError(response.status, payload.error);
    throw new ApiError(response.status, {
      code: `http_${response.status}`,
      message: `The server answered ${response.status} ${response.statusText}`.trim(),
      details: null,
    });
  }
  return payload as T;
}

/** The message for one form field, matching "field" or a nested path ending in it ("body.field"). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.details.find((d) => d.field === field || d.field.endsWith(`.${field}`))?.message;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong";
}
