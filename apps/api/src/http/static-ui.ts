import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Router } from "express";

/** Paths the SPA fallback must never answer: they belong to the API and the operations endpoints. */
const NOT_UI = /^\/(api|admin\/queues|metrics|healthz|readyz)(\/|$)/;

export function defaultUiDistDir(): string {
  // src/ or dist/ of apps/api -> apps/admin-ui/dist
  return path.resolve(__dirname, "..", "..", "..", "admin-ui", "dist");
}

/** Serves the admin UI build with an index.html fallback for client-side routes. */
export function staticUi(uiDir: string): Router {
  const router = express.Router();
  router.use(express.static(uiDir, { index: false, maxAge: "1h" }));
  router.get(/.*/, (req, res, next) => {
    const index = path.join(uiDir, "index.html");
    // Checked per request: the UI may be built after the API has started.
    if (NOT_UI.test(req.path) || !existsSync(index)) return next();
    res.set("Cache-Control", "no-cache");
    res.sendFile(index);
  });
  return router;
}
