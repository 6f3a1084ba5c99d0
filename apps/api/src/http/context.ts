import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Logger } from "@occ/core";
import type { RequestHandler } from "express";

declare global {
  namespace Express {
    interface Request {
      requestId: string;
      log: Logger;
    }
  }
}

// An incoming id is echoed only when it is harmless in logs and headers.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * X-Request-Id in and out, a child logger carrying it for everything logged during the request, and an
 * access line at "http" level (below the default "info"; LOG_LEVEL=http turns it on). Only the path is
 * logged, never the query string or body.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get("x-request-id");
    req.requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ request_id: req.requestId });
    res.set("X-Request-Id", req.requestId);
    if (logger.isLevelEnabled("http")) {
      const started = performance.now();
      res.on("finish", () => {
        req.log.http("request", {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
        });
      });
    }
    next();
  };
}
