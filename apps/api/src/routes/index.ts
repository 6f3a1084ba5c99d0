import type { AppServices } from "../composition-root";
import type { QueuesSession } from "../http/queues-board";
import type { Route } from "../http/route";
import { adminRoutes } from "./admin";
import { authRoutes } from "./auth";
import { dataRoutes } from "./data";
import { kitchenDayRoutes } from "./kitchen-day";
import { settingsRoutes } from "./settings";
import { syncRoutes } from "./sync";

export function allRoutes(s: AppServices, queuesSession: QueuesSession): Route[] {
  return [
    ...authRoutes(s),
    ...settingsRoutes(s),
    ...syncRoutes(s),
    ...dataRoutes(s),
    ...kitchenDayRoutes(s),
    ...adminRoutes(s, queuesSession),
  ];
}
