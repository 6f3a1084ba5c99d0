import { OpenAPIRegistry, OpenApiGeneratorV3 } from "@asteasolutions/zod-to-openapi";
import type { Route } from "./http/route";

/** The OpenAPI 3 document, generated from the very schemas the routes validate with. */
export function buildOpenApiDocument(routes: Route[]) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  for (const route of routes) registry.registerPath(route.openapi);
  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: "3.0.3",
    info: {
      title: "Occupancy Sync API",
      version: "1.0.0",
      description:
        "Keeps each kitchen's next days of occupancy fresh from Newbook. Every endpoint acts on the " +
        "caller's kitchen; admins choose one with ?kitchen_id=. Errors: {error: {code, message, details}}.",
    },
    servers: [{ url: "/" }],
  });
  return typedNullables(document, document.components?.schemas ?? {});
}

type Json = unknown;
type SchemaMap = Record<string, Json>;

const isRecord = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isBareNullable = (v: Json) => isRecord(v) && v.nullable === true && Object.keys(v).length === 1;

/**
 * OpenAPI 3.0.3 reads `nullable` only beside a `type`, but the generator writes a nullable union as
 * `anyOf: [..., {nullable: true}]` and `z.unknown()` as `{nullable: true}`, which generated clients and
 * Redocly's lint reject. Rewrites both into the typed form with the same meaning: each member of the
 * union becomes nullable (a `$ref` through `allOf` with its target's type), and "any value" becomes `{}`.
 */
export function typedNullables<T>(node: T, schemas: SchemaMap): T {
  if (Array.isArray(node)) return node.map((item) => typedNullables(item, schemas)) as T;
  if (!isRecord(node)) return node;
  if (isBareNullable(node)) return {} as T;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    const union = (key === "anyOf" || key === "oneOf") && Array.isArray(value) ? value : undefined;
    out[key] =
      union?.some(isBareNullable) === true
        ? union
            .filter((m) => !isBareNullable(m))
            .map((m) => nullableMember(typedNullables(m, schemas), schemas))
        : typedNullables(value, schemas);
  }
  return out as T;
}

function nullableMember(member: Json, schemas: SchemaMap): Json {
  if (!isRecord(member)) return member;
  if (typeof member.$ref === "string") {
    const target = schemas[member.$ref.replace("#/components/schemas/", "")];
    const type = isRecord(target) ? target.type : undefined;
    return type === undefined ? member : { type, nullable: true, allOf: [member] };
  }
  return member.type === undefined ? member : { ...member, nullable: true };
}
