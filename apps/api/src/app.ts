import cors from "cors";
import express, { type Express } from "express";
import helmet from "helmet";
import { buildServices } from "./composition-root";
import type { AppDeps } from "./deps";
import { requestContext } from "./http/context";
import { errorHandler, notFoundHandler } from "./http/error-middleware";
import { healthz, readyz } from "./http/health";
import { createHttpMetrics } from "./http/metrics";
import { QUEUES_BOARD_PATH, QueuesSession, queuesBoardGuard, queuesBoardRouter } from "./http/queues-board";
import { defaultUiDistDir, staticUi } from "./http/static-ui";
import { buildOpenApiDocument } from "./openapi";
import { allRoutes } from "./routes";

/** The whole HTTP app, stateless (every replica is interchangeable); listening is the caller's job. */
export function createApp(deps: AppDeps): Express {
  const services = buildServices(deps);
  const { config } = deps;
  const queuesSession = new QueuesSession(services.boardSecret, services.now);
  const routes = allRoutes(services, queuesSession);
  const openapi = buildOpenApiDocument(routes);
  const metrics = createHttpMetrics(deps.queues);

  const app = express();
  // X-Forwarded-For names the client only when the peer is a proxy we were told to trust (TRUST_PROXY):
  // otherwise anyone could pick a fresh address per request and escape the per-client login limits.
  app.set("trust proxy", config.TRUST_PROXY);
  app.use(requestContext(services.logger));
  app.use(metrics.middleware);
  app.use(helmet());
  app.use(cors({ origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false }));

  app.get("/healthz", healthz);
  app.get("/readyz", readyz(deps.db, deps.redis));
  app.get("/metrics", async (_req, res) => {
    res.set("Content-Type", metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  app.use("/api", express.json({ limit: "100kb" }));
  app.get("/api/openapi.json", (_req, res) => {
    res.json(openapi);
  });
  for (const route of routes) {
    app[route.method](route.path, (req, res) => route.handle(req, res, services.auth));
  }

  app.use(QUEUES_BOARD_PATH, queuesBoardGuard(queuesSession, services.auth), queuesBoardRouter(deps.queues));
  app.use(staticUi(deps.uiDistDir ?? config.UI_DIST_DIR ?? defaultUiDistDir()));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
