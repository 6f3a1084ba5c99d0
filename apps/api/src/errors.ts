import type { z } from "zod";

export interface FieldError {
  field: string;
  message: string;
}

/** An error that maps to one HTTP status and the single JSON error shape {error: {code, message, details}}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }

  static notFound(what = "Resource"): ApiError {
    return new ApiError(404, "not_found", `${what} not found`);
  }

  static forbidden(message = "You do not have access to this resource"): ApiError {
    return new ApiError(403, "forbidden", message);
  }

  static unauthorized(message = "Authentication required"): ApiError {
    return new ApiError(401, "unauthorized", message, undefined, { "WWW-Authenticate": "Bearer" });
  }

  static badRequest(code: string, message: string, details?: unknown): ApiError {
    return new ApiError(400, code, message, details);
  }
}

export function fieldErrorsOf(error: z.ZodError, location?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return { field: path || location || "body", message: issue.message };
  });
}

export function validationError(
  error: z.ZodError,
  location: "body" | "query" | "params" | "options",
): ApiError {
  const details = fieldErrorsOf(error, location);
  const summary = details.map((d) => (d.field === location ? d.message : `${d.field}: ${d.message}`));
  return new ApiError(400, "validation_error", `Invalid ${location}: ${summary.join("; ")}`, details);
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, details: details ?? null } };
}

export function conflict(code: string, message: string): ApiError {
  return new ApiError(409, code, message);
}

/** PostgreSQL unique_violation, so a race between two creates still answers 409 rather than 500. */
export function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  return (error as { code?: string } | null)?.code === "23505" || cause?.code === "23505";
}
