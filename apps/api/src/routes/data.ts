import { defineRoute, type Route } from "../http/route";
import {
  alertsQuerySchema,
  alertsResponseSchema,
  occupancyQuerySchema,
  occupancyResponseSchema,
  residentsQuerySchema,
  residentsResponseSchema,
} from "../schemas/data";
import type { AppServices } from "../services";
import { listAlerts } from "../services/alerts";
import { withKitchenInfo } from "../services/kitchen-day";
import { occupancy, residents } from "../services/occupancy";

export function dataRoutes(s: AppServices): Route[] {
  return [
    defineRoute({
      method: "get",
      path: "/api/occupancy",
      summary: "Daily occupancy from..to (default: the kitchen's today .. today + 7; at most 400 days)",
      tag: "data",
      access: "kitchen",
      query: occupancyQuerySchema,
      response: occupancyResponseSchema,
      handler: ({ kitchen, query }) => occupancy(s.db, kitchen, query, s.now()),
    }),
    defineRoute({
      method: "get",
      path: "/api/residents",
      summary: "Who sleeps in which room over 7 nights from start (default today)",
      tag: "data",
      access: "kitchen",
      query: residentsQuerySchema,
      response: residentsResponseSchema,
      async handler({ kitchen, query }) {
        const grid = await residents(s.db, kitchen, query.start, s.now());
        return { ...grid, rooms: await withKitchenInfo(s.db, kitchen.id, grid.rooms) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/api/alerts",
      summary: "The kitchen's alerts (open, or all)",
      tag: "data",
      access: "kitchen",
      query: alertsQuerySchema,
      response: alertsResponseSchema,
      async handler({ kitchenId, query }) {
        return { alerts: await listAlerts(s.db, kitchenId, query.state ?? "open") };
      },
    }),
  ];
}
