import type { RouteConfig } from "@asteasolutions/zod-to-openapi";
import type { Role } from "@occ/db";
import type { Request, Response } from "express";
import { z } from "zod";
import type { ApiPath } from "../contract";
import { ApiError, validationError } from "../errors";
import { errorResponseSchema } from "../schemas/common";

export type Method = "get" | "post" | "put" | "patch" | "delete";
/** public: anyone; user: any signed-in user; kitchen: scoped to one kitchen; admin: admins only. */
export type Access = "public" | "user" | "kitchen" | "admin";
export type { Role };

export interface KitchenRef {
  id: number;
  name: string;
  timezone: string;
}

export interface AuthUser {
  id: number;
  email: string;
  role: Role;
  kitchenId: number | null;
  /** The user's own kitchen, read with the user (null for an admin without one). */
  kitchen: KitchenRef | null;
  /** Tokens and Bull Board cookies issued under another version are void. */
  tokenVersion: number;
}

export interface Authenticator {
  /** The user (with their kitchen) by id, or null. */
  /** The user if active (and, given a token version, only if it is still current). */
  findUser(id: number, tokenVersion?: number): Promise<AuthUser | null>;
  /** The signed-in user, or a 401. */
  authenticate(req: Request): Promise<AuthUser>;
  /** The kitchen a request acts on: a manager's own; an admin's from ?kitchen_id=. */
  resolveKitchen(user: AuthUser, requested: number | undefined): Promise<KitchenRef>;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;
type AuthOf<A extends Access> = A extends "public"
  ? { user: null }
  : A extends "kitchen"
    ? { user: AuthUser; kitchenId: number; kitchen: KitchenRef }
    : { user: AuthUser };

export type RouteContext<A extends Access, Q, P, B> = AuthOf<A> & {
  req: Request;
  res: Response;
  query: Out<Q>;
  params: Out<P>;
  body: Out<B>;
};

type ObjectSchema = z.ZodObject;

export interface RouteSpec<
  A extends Access,
  Q extends ObjectSchema | undefined,
  P extends ObjectSchema | undefined,
  B extends z.ZodType | undefined,
  R extends z.ZodType | undefined,
> {
  method: Method;
  /**
   * Express-style path (":id"), one of the contract's API_PATHS, so the API and its clients cannot name a
   * route differently; the OpenAPI path is derived from it.
   */
  path: ApiPath;
  summary: string;
  tag: string;
  access: A;
  query?: Q;
  params?: P;
  body?: B;
  /** An absent or empty body is read as {} (for endpoints whose body is optional). */
  bodyOptional?: boolean;
  /** Success status; 204 when there is no response schema. */
  status?: number;
  response?: R;
  /** A non-JSON success body (e.g. a CSV download): the handler's string is sent as this type. */
  responseContentType?: "text/csv";
  /** Error statuses worth documenting beyond the ones implied by access and validation. */
  errors?: Record<number, string>;
  /**
   * The handler answers a never-ending text/event-stream itself (documented as such); request-response
   * tests that walk every route (fuzzing) leave it to its own tests.
   */
  stream?: boolean;
  handler(ctx: RouteContext<A, Q, P, B>): Promise<R extends z.ZodType ? z.input<R> : undefined>;
}

/** A route with its types erased: mounted on Express and registered in OpenAPI from the same schemas. */
export interface Route {
  method: Method;
  path: string;
  access: Access;
  /** An open-ended Server-Sent Events stream rather than one response. */
  stream: boolean;
  openapi: RouteConfig;
  handle(req: Request, res: Response, auth: Authenticator): Promise<void>;
}

const kitchenIdQuery = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, "must be a positive integer")
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, { error: "kitchen_id is out of range" }))
  .optional()
  .describe("Kitchen to act on (admins only; managers always act on their own kitchen)");

/** Path of the first string holding a NUL character (PostgreSQL text cannot store one), else null. */
function nulPath(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (value === null || typeof value !== "object" || depth > 16) return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes("\u0000")) return [...path, key];
    const found = nulPath(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

function parseOr400<T extends z.ZodType>(
  schema: T,
  value: unknown,
  location: "body" | "query" | "params",
): z.output<T> {
  const nul = nulPath(value);
  if (nul) {
    const field = nul.join(".") || location;
    throw ApiError.badRequest(
      "validation_error",
      `Invalid ${location}: ${field}: must not contain NUL characters`,
      [{ field, message: "must not contain NUL characters" }],
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, location);
  return parsed.data;
}

function openapiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, "{$1}");
}

const pascal = (words: string) =>
  words
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join("");

/**
 * The operationId generated clients name their methods after, derived from method and path so every route
 * has one and no two collide: `GET /api/newbook/sync-runs/:run_id` -> `getNewbookSyncRunsByRunId`.
 */
export function operationId(method: Method, path: string): string {
  const segments = path
    .replace(/^\/api(?=\/|$)/, "")
    .split("/")
    .filter(Boolean);
  return method + segments.map((s) => (s.startsWith(":") ? `By${pascal(s.slice(1))}` : pascal(s))).join("");
}

function openapiConfig(spec: {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  access: Access;
  query?: ObjectSchema;
  params?: ObjectSchema;
  body?: z.ZodType;
  bodyOptional?: boolean;
  status?: number;
  response?: z.ZodType;
  responseContentType?: string;
  errors?: Record<number, string>;
  stream?: boolean;
}): RouteConfig {
  const status = spec.status ?? (spec.response ? 200 : 204);
  const errorStatuses: Record<number, string> = {};
  if (spec.query || spec.params || spec.body) errorStatuses[400] = "Invalid input";
  if (spec.access !== "public") errorStatuses[401] = "Not signed in";
  if (spec.access === "admin" || spec.access === "kitchen") errorStatuses[403] = "Not allowed";
  if (spec.access === "kitchen" || spec.params) errorStatuses[404] = "Not found";
  Object.assign(errorStatuses, spec.errors);
  const success = spec.stream
    ? { description: "Server-Sent Events", content: { "text/event-stream": { schema: z.string() } } }
    : spec.response
      ? {
          description: "Success",
          content: { [spec.responseContentType ?? "application/json"]: { schema: spec.response } },
        }
      : { description: "Success, no content" };
  const responses: RouteConfig["responses"] = { [status]: success };
  for (const [code, description] of Object.entries(errorStatuses)) {
    responses[code] = { description, content: { "application/json": { schema: errorResponseSchema } } };
  }
  return {
    method: spec.method,
    path: openapiPath(spec.path),
    operationId: operationId(spec.method, spec.path),
    summary: spec.summary,
    tags: [spec.tag],
    // Public routes say so explicitly (an empty list), so no operation is left without a security statement.
    security: spec.access === "public" ? [] : [{ bearerAuth: [] }],
    request: {
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.body
        ? {
            body: {
              required: !spec.bodyOptional,
              content: { "application/json": { schema: spec.body } },
            },
          }
        : {}),
    },
    responses,
  };
}

export function defineRoute<
  A extends Access,
  Q extends ObjectSchema | undefined = undefined,
  P extends ObjectSchema | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<A, Q, P, B, R>): Route {
  const scoped = spec.access === "kitchen";
  const querySchema: ObjectSchema | undefined = scoped
    ? (spec.query ?? z.object({})).extend({ kitchen_id: kitchenIdQuery })
    : spec.query;
  const status = spec.status ?? (spec.response ? 200 : 204);
  return {
    method: spec.method,
    path: spec.path,
    access: spec.access,
    stream: spec.stream ?? false,
    openapi: openapiConfig({ ...spec, query: querySchema }),
    async handle(req, res, auth) {
      const user = spec.access === "public" ? null : await auth.authenticate(req);
      if (spec.access === "admin" && user?.role !== "admin") throw ApiError.forbidden("Admins only");
      const query = querySchema ? parseOr400(querySchema, req.query ?? {}, "query") : undefined;
      const params = spec.params ? parseOr400(spec.params, req.params, "params") : undefined;
      const rawBody: unknown = req.body === undefined && spec.bodyOptional ? {} : req.body;
      const body = spec.body ? parseOr400(spec.body, rawBody ?? {}, "body") : undefined;
      const kitchen =
        scoped && user
          ? await auth.resolveKitchen(user, (query as { kitchen_id?: number }).kitchen_id)
          : undefined;
      const ctx = {
        req,
        res,
        user,
        kitchen,
        kitchenId: kitchen?.id,
        query,
        params,
        body,
      } as unknown as RouteContext<A, Q, P, B>;
      const result = await spec.handler(ctx);
      if (res.headersSent) return;
      if (result === undefined) res.status(status).end();
      else if (spec.responseContentType) res.status(status).type(spec.responseContentType).send(result);
      else res.status(status).json(result);
    },
  };
}
