import type { ErrorRequestHandler, RequestHandler } from "express";
import { ApiError, errorBody } from "../errors";

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, "not_found", `No route for ${req.method} ${req.path}`));
};

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** Errors raised by body parsing and other middleware carry a 4xx status of their own. */
function clientErrorFrom(error: unknown): ApiError | null {
  if (typeof error !== "object" || error === null) return null;
  const e = error as HttpLikeError;
  const status = e.status ?? e.statusCode;
  if (!status || status < 400 || status >= 500) return null;
  if (e.type === "entity.parse.failed")
    return new ApiError(400, "invalid_json", "Request body is not valid JSON");
  if (e.type === "entity.too.large")
    return new ApiError(413, "payload_too_large", "Request body is too large");
  if (e.type === "encoding.unsupported" || e.type === "charset.unsupported")
    return new ApiError(415, "unsupported_encoding", "Unsupported request body encoding");
  return new ApiError(status, "bad_request", "The request could not be processed");
}

/** The one error middleware: every failure leaves as {error: {code, message, details}}. */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const known = error instanceof ApiError ? error : clientErrorFrom(error);
  if (known) {
    if (known.headers) res.set(known.headers);
    res.status(known.status).json(errorBody(known.code, known.message, known.details));
    return;
  }
  req.log.error("unhandled error", { error });
  res
    .status(500)
    .json(errorBody("internal_error", "Something went wrong on our side; the request id identifies it"));
};
