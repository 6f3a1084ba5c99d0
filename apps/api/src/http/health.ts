import type { RedisClient } from "@occ/core";
import { type DbHandle, migrationsApplied } from "@occ/db";
import type { Request, Response } from "express";
import { withTimeout } from "../services/with-timeout";

const CHECK_TIMEOUT_MS = 2_000;

async function check(name: string, probe: () => Promise<unknown>): Promise<[string, string]> {
  try {
    const result = await withTimeout(probe(), CHECK_TIMEOUT_MS, name);
    return [name, result === false ? "failed: not applied" : "ok"];
  } catch (error) {
    return [name, `failed: ${error instanceof Error ? error.message : String(error)}`];
  }
}

export function healthz(_req: Request, res: Response): void {
  res.json({ status: "ok" });
}

/** Ready when PostgreSQL and Redis answer and this build's migrations are applied; else 503 naming what failed. */
export function readyz(db: DbHandle, redis: RedisClient) {
  return async (_req: Request, res: Response) => {
    const checks = Object.fromEntries(
      await Promise.all([
        check("postgres", () => db.ping()),
        check("redis", () => redis.ping()),
        check("migrations", () => migrationsApplied(db)),
      ]),
    );
    const ready = Object.values(checks).every((v) => v === "ok");
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not_ready", checks });
  };
}
