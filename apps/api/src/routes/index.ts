import type { Route } from "../http/route";
import type { AppServices } from "../services";
import { authRoutes } from "./auth";
import { settingsRoutes } from "./settings";

export function allRoutes(s: AppServices): Route[] {
  return [...authRoutes(s), ...settingsRoutes(s)];
}
