import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import type { SimContext } from "./context";
import { isValidDate } from "./dates";
import { faultSchema } from "./faults";
import { bookingToWire, parseStatus } from "./serialize";
import { SimError } from "./store";
import { switchesPatchSchema } from "./switches";
import { type BookingStatus, MEAL_PLANS, type PropertyData, simProperty } from "./types";

const date = z.string().refine(isValidDate, { message: "must be a date YYYY-MM-DD" });
const count = z.number().int().min(0).max(20);
const eta = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, "must be a time HH:MM or HH:MM:SS")
  .nullable();
const status = z.string().transform((value, zctx): BookingStatus => {
  const parsed = parseStatus(value);
  if (!parsed) {
    zctx.addIssue({ code: "custom", message: `unknown booking status '${value}'` });
    return z.NEVER;
  }
  return parsed;
});

const addBookingSchema = z
  .object({
    arrival: date,
    departure: date,
    adults: z.number().int().min(1).max(20),
    children: count.optional(),
    infants: count.optional(),
    site_id: z.number().int().nullable().optional(),
    category_id: z.number().int().optional(),
    status: status.optional(),
    meals: z.enum(MEAL_PLANS).optional(),
    group_id: z.number().int().nullable().optional(),
    eta: eta.optional(),
  })
  .strict();

// A modification changes any of a new booking's fields except its group.
const modifyBookingSchema = addBookingSchema.omit({ group_id: true }).partial().strict();

const latencySchema = z
  .object({ ms: z.number().int().min(0).max(600_000), property_id: z.string().min(1).optional() })
  .strict();
const resetSchema = z.object({ data: z.boolean().optional() }).strict();
const sinceSchema = z.object({ since: z.coerce.number().int().min(0).optional() });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new SimError(400, `Invalid request: ${z.prettifyError(result.error)}`);
  return result.data;
}

function bookingId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id)) throw new SimError(400, `Invalid booking id '${raw}'`);
  return id;
}

export function propertySummary(p: PropertyData) {
  const { apiKey, ...property } = simProperty(p);
  return {
    ...property,
    api_key: apiKey,
    today: p.today,
    categories: p.categories.map((c) => ({
      category_id: c.id,
      category_name: c.name,
      rooms: p.sites.filter((s) => s.categoryId === c.id).length,
    })),
  };
}

/** Test/demo control surface under /_sim: no auth, never part of the Newbook API. */
export function controlRouter(ctx: SimContext): Router {
  const router = express.Router();
  router.use(express.json({ limit: "1mb" }));

  router.get("/properties", (_req, res) => {
    res.json({ properties: ctx.store.properties.map(propertySummary) });
  });

  router.get("/properties/:propertyId/bookings/:bookingId", (req, res) => {
    const p = ctx.store.get(req.params.propertyId);
    res.json(bookingToWire(ctx.store.getBooking(p, bookingId(req.params.bookingId)), p, ctx.switches));
  });

  router.post("/properties/:propertyId/bookings", (req, res) => {
    const p = ctx.store.get(req.params.propertyId);
    const booking = ctx.store.addBooking(p, parse(addBookingSchema, req.body));
    res.status(201).json(bookingToWire(booking, p, ctx.switches));
  });

  router.patch("/properties/:propertyId/bookings/:bookingId", (req, res) => {
    const p = ctx.store.get(req.params.propertyId);
    const patch = parse(modifyBookingSchema, req.body);
    const booking = ctx.store.modifyBooking(p, bookingId(req.params.bookingId), patch);
    res.json(bookingToWire(booking, p, ctx.switches));
  });

  router.post("/properties/:propertyId/bookings/:bookingId/cancel", (req, res) => {
    const p = ctx.store.get(req.params.propertyId);
    const booking = ctx.store.cancelBooking(p, bookingId(req.params.bookingId));
    res.json(bookingToWire(booking, p, ctx.switches));
  });

  router.get("/properties/:propertyId/faults", (req, res) => {
    const p = ctx.store.get(req.params.propertyId);
    res.json({ faults: ctx.faults.list(p.id) });
  });

  router.post("/properties/:propertyId/faults", (req, res) => {
    const p = ctx.store.get(req.params.propertyId);
    ctx.faults.add(p.id, parse(faultSchema, req.body));
    res.status(201).json({ faults: ctx.faults.list(p.id) });
  });

  router.delete("/properties/:propertyId/faults", (req, res) => {
    const p = ctx.store.get(req.params.propertyId);
    ctx.faults.clear(p.id);
    res.json({ faults: [] });
  });

  const latencyView = () => ({
    default_ms: ctx.latency.defaultMs,
    per_property: Object.fromEntries(ctx.latency.perProperty),
  });
  router.get("/latency", (_req, res) => {
    res.json(latencyView());
  });
  router.put("/latency", (req, res) => {
    const body = parse(latencySchema, req.body);
    if (body.property_id === undefined) ctx.latency.defaultMs = body.ms;
    else ctx.latency.perProperty.set(ctx.store.get(body.property_id).id, body.ms);
    res.json(latencyView());
  });

  router.get("/counters", (_req, res) => {
    res.json(ctx.telemetry.snapshot());
  });

  router.get("/requests", (req, res) => {
    const { since } = parse(sinceSchema, req.query);
    res.json({ requests: ctx.telemetry.since(since ?? 0) });
  });

  router.post("/reset", (req, res) => {
    const body = parse(resetSchema, req.body);
    ctx.reset(body.data ?? false);
    res.json({ reset: true, data: body.data ?? false });
  });

  router.get("/switches", (_req, res) => {
    res.json(ctx.switches);
  });
  router.put("/switches", (req, res) => {
    ctx.setSwitches(stripUndefined(parse(switchesPatchSchema, req.body)));
    res.json(ctx.switches);
  });

  router.use((_req, res) => {
    res.status(404).json({ error: "Unknown control endpoint" });
  });
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof SimError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    const parseError =
      typeof err === "object" && err !== null && "type" in err && err.type === "entity.parse.failed";
    if (parseError) {
      res.status(400).json({ error: "Malformed JSON in request body" });
      return;
    }
    res.status(500).json({ error: err instanceof Error ? err.message : "Internal error" });
  });
  return router;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
