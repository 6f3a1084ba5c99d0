import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { checkApiKey, checkBasic, parseBasicAuth } from "./auth";
import type { SimContext } from "./context";
import { daysBetween, parseInputDateTime } from "./dates";
import type { FaultSpec } from "./faults";
import {
  DEFAULT_LIMIT,
  earnedRevenue,
  isListType,
  LIST_TYPES,
  listBookings,
  MAX_LIMIT,
  occupancyReport,
  type Period,
  reportDates,
} from "./queries";
import {
  bookingToWire,
  earnedRevenueToWire,
  glAccountToWire,
  type JsonObject,
  occupancyToWire,
  Scalars,
  siteToWire,
} from "./serialize";
import type { LogEntry, LogParams, Outcome } from "./telemetry";
import type { PropertyData } from "./types";

type Body = Record<string, unknown>;

/** A request the action rejects; `status` is the HTTP status of the success:"false" answer. */
class ActionError extends Error {
  constructor(
    message: string,
    readonly status = 200,
  ) {
    super(message);
  }
}

interface Reply {
  status: number;
  body: JsonObject;
}

const ok = (fields: JsonObject): Reply => ({ status: 200, body: { success: "true", ...fields } });
const fail = (message: string): JsonObject => ({ success: "false", message });

function param(body: Body, name: string): string | undefined {
  const v = body[name];
  if (typeof v === "string" && v.trim() !== "") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

function required(body: Body, name: string): string {
  const v = param(body, name);
  if (v === undefined) throw new ActionError(`Missing required parameter: ${name}`);
  return v;
}

function period(body: Body): Period {
  const rawFrom = required(body, "period_from");
  const rawTo = required(body, "period_to");
  const from = parseInputDateTime(rawFrom);
  if (!from) throw new ActionError(`Invalid period_from '${rawFrom}': use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS`);
  const to = parseInputDateTime(rawTo);
  if (!to) throw new ActionError(`Invalid period_to '${rawTo}': use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS`);
  if (to < from) throw new ActionError("period_to must not be before period_from");
  return { from, to };
}

function nonNegativeInt(body: Body, name: string, fallback: number, min: number): number {
  const raw = param(body, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ActionError(`Invalid ${name} '${raw}'`);
  return n;
}

const MAX_REPORT_DAYS = 1000;

function reportPeriod(body: Body): { fromDate: string; toDate: string } {
  const dates = reportDates(period(body));
  if (daysBetween(dates.fromDate, dates.toDate) > MAX_REPORT_DAYS) {
    throw new ActionError(`Report period is limited to ${MAX_REPORT_DAYS} days`);
  }
  return dates;
}

type Handler = (ctx: SimContext, p: PropertyData, body: Body) => Reply;

const handlers: Record<string, Handler> = {
  auth_test: () => ok({ message: "Authentication successful", data: [] }),

  bookings_list: (ctx, p, body) => {
    const listType = required(body, "list_type");
    const range = period(body);
    if (!isListType(listType)) {
      throw new ActionError(`Invalid list_type '${listType}'. Valid values: ${LIST_TYPES.join(", ")}`, 412);
    }
    const offset = nonNegativeInt(body, "data_offset", 0, 0);
    const limit = Math.min(nonNegativeInt(body, "data_limit", DEFAULT_LIMIT, 1), MAX_LIMIT);
    const projected = param(body, "mode")?.toLowerCase() === "projected";
    const page = listBookings(p, listType, range, offset, limit, projected);
    const s = new Scalars(ctx.switches.numeric_scalars);
    return ok({
      data_total: s.int(page.total),
      data_count: s.int(page.rows.length),
      data: page.rows.map((b) => bookingToWire(b, p, ctx.switches)),
    });
  },

  bookings_get: (ctx, p, body) => {
    const raw = required(body, "booking_id");
    const id = Number(raw);
    const booking = Number.isInteger(id) ? p.bookings.find((b) => b.id === id) : undefined;
    if (!booking) throw new ActionError(`Booking ${raw} not found`);
    return ok({ data: bookingToWire(booking, p, ctx.switches) });
  },

  sites_list: (ctx, p) => ok({ data: p.sites.map((s) => siteToWire(s, p, ctx.switches)) }),

  reports_occupancy: (ctx, p, body) => {
    const { fromDate, toDate } = reportPeriod(body);
    return ok({ data: occupancyToWire(occupancyReport(p, fromDate, toDate), ctx.switches) });
  },

  gl_account_list: (ctx, p) => ok({ data: p.glAccounts.map((g) => glAccountToWire(g, ctx.switches)) }),

  reports_earned_revenue: (ctx, p, body) => {
    const { fromDate, toDate } = reportPeriod(body);
    const increment = param(body, "period_increment");
    if (increment !== undefined && increment !== "day") {
      throw new ActionError(`Invalid period_increment '${increment}': only "day" is supported`);
    }
    const rows = earnedRevenue(p, fromDate, toDate, increment === "day");
    return ok({ data: earnedRevenueToWire(rows, ctx.switches) });
  },
};
handlers.site_list = handlers.sites_list as Handler;

export const NEWBOOK_ACTIONS = Object.keys(handlers);

function logParams(body: Body): LogParams {
  const params: LogParams = {};
  for (const key of ["list_type", "period_from", "period_to"] as const) {
    const v = body[key];
    if (typeof v === "string") params[key] = v;
  }
  for (const key of ["data_offset", "data_limit"] as const) {
    const v = body[key];
    if (typeof v === "string" || typeof v === "number") params[key] = v;
  }
  return params;
}

function send(
  ctx: SimContext,
  res: Response,
  entry: LogEntry,
  status: number,
  body: JsonObject,
  outcome: Outcome,
) {
  ctx.telemetry.finish(entry, status, outcome);
  res.status(status).json(body);
}

const FAULT_REPLIES: Partial<Record<FaultSpec["type"], { status: number; message: string }>> = {
  http500: { status: 500, message: "Internal Server Error" },
  http401: { status: 401, message: "Invalid username or password" },
  success_false: { status: 200, message: "Simulated failure: the request could not be processed" },
};

function applyFault(ctx: SimContext, res: Response, entry: LogEntry, fault: FaultSpec): void {
  const retryAfter = fault.retry_after_seconds;
  if (retryAfter !== undefined) res.setHeader("Retry-After", String(retryAfter));
  const reply = FAULT_REPLIES[fault.type];
  if (reply) {
    send(ctx, res, entry, reply.status, fail(reply.message), "fault");
    return;
  }
  if (fault.type === "http429") {
    const message = `Too many requests: limit of ${ctx.switches.throttle_per_minute} requests per minute exceeded`;
    send(ctx, res, entry, 429, fail(message), "fault");
  } else if (fault.type === "http502" || fault.type === "http503") {
    // Gateways in front of an API answer with HTML, not the JSON envelope.
    const status = fault.type === "http502" ? 502 : 503;
    const text = status === 502 ? "502 Bad Gateway" : "503 Service Temporarily Unavailable";
    ctx.telemetry.finish(entry, status, "fault");
    res
      .status(status)
      .type("html")
      .send(`<html><head><title>${text}</title></head><body><h1>${text}</h1></body></html>`);
  } else if (fault.type === "malformed_json") {
    ctx.telemetry.finish(entry, 200, "fault");
    res.status(200).type("application/json").send('{"success":"true","data":[{"booking_id":"1","booking_arr');
  } else {
    // "hang": never answer; the client gives up, or close() destroys the socket.
    ctx.hung.add(res);
    res.on("close", () => {
      ctx.hung.delete(res);
      ctx.telemetry.finish(entry, 0, "fault");
    });
  }
}

async function handle(
  ctx: SimContext,
  req: Request,
  res: Response,
  pathAction: string | undefined,
): Promise<void> {
  const body: Body =
    typeof req.body === "object" && req.body !== null && !Array.isArray(req.body) ? req.body : {};
  const bodyAction = typeof body.request_action === "string" ? body.request_action : undefined;
  const action = pathAction ?? bodyAction ?? "";
  const entry = ctx.telemetry.start(action, logParams(body));
  const claimed = parseBasicAuth(req.headers.authorization);
  const candidate = claimed ? ctx.store.findByUsername(claimed.username) : undefined;
  entry.username = claimed?.username ?? null;
  await ctx.sleep(ctx.latencyFor(candidate?.id));

  const basic = checkBasic(req.headers.authorization, (u) => ctx.store.findByUsername(u));
  if (!basic.ok) {
    res.setHeader("WWW-Authenticate", 'Basic realm="Newbook API"');
    return send(ctx, res, entry, 401, fail("Invalid username or password"), "auth_error");
  }
  const p = basic.property;
  entry.property_id = p.id;

  const throttled = ctx.throttle.hit(p.username);
  if (!throttled.allowed) {
    if (ctx.switches.retry_after) res.setHeader("Retry-After", String(throttled.retryAfterSeconds));
    const status = ctx.switches.throttle_form === "429" ? 429 : 200;
    const message = `Rate limit exceeded: more than ${ctx.switches.throttle_per_minute} requests per minute for this API key`;
    return send(ctx, res, entry, status, fail(message), "throttled");
  }

  const fault = ctx.faults.take(p.id, action);
  if (fault) return applyFault(ctx, res, entry, fault);

  const keyError = checkApiKey(p, body);
  if (keyError) return send(ctx, res, entry, ctx.switches.bad_api_key_status, fail(keyError), "auth_error");

  // hasOwn: "toString" or "constructor" must not resolve to Object.prototype members.
  const handler = Object.hasOwn(handlers, action) ? handlers[action] : undefined;
  if (!handler) {
    const message = action === "" ? "Missing request_action" : `Unknown action '${action}'`;
    return send(ctx, res, entry, 404, fail(message), "error");
  }
  try {
    const reply = handler(ctx, p, body);
    return send(ctx, res, entry, reply.status, reply.body, "ok");
  } catch (err) {
    if (err instanceof ActionError) return send(ctx, res, entry, err.status, fail(err.message), "error");
    // A bug in the simulator: answer like a crashing server rather than leaving the request open.
    return send(ctx, res, entry, 500, fail(err instanceof Error ? err.message : "Internal error"), "error");
  }
}

/** The Newbook surface: POST <base>/rest/<action>, or POST <base>/rest/ with "request_action". */
export function newbookRouter(ctx: SimContext): Router {
  const router = express.Router();
  // Newbook clients do not always send Content-Type; parse every body as JSON.
  router.use(express.json({ type: () => true, limit: "1mb" }));
  router.post("/", (req, res) => handle(ctx, req, res, undefined));
  router.post("/:action", (req, res) => handle(ctx, req, res, req.params.action));
  router.all("/{*rest}", (_req, res) => {
    res.status(405).json(fail("Only POST is supported"));
  });
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const parseError =
      typeof err === "object" && err !== null && "type" in err && err.type === "entity.parse.failed";
    if (parseError) {
      res.status(400).json(fail("Malformed JSON in request body"));
      return;
    }
    res.status(500).json(fail(err instanceof Error ? err.message : "Internal error"));
  });
  return router;
}
