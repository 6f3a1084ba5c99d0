import { buildServices } from "../composition-root";
import { QueuesSession } from "../http/queues-board";
import type { Route } from "../http/route";
import { allRoutes } from "../routes";
import type { Harness } from "./harness";

/** The app's route table, for tests that must cover every endpoint (tenancy walk, fuzzing). */
export function routeTable(h: Harness): Route[] {
  const services = buildServices(h.deps);
  return allRoutes(services, new QueuesSession(services.boardSecret, services.now));
}

/** Fills ":name" path parameters. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => encodeURIComponent(params[name] ?? "missing"));
}
