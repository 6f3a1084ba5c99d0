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
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
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
}
