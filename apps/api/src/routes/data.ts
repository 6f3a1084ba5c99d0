import type { AppServices } from "../composition-root";
import { API_PATHS } from "../contract";
import { defineRoute, type Route } from "../http/route";
import { streamKitchenEvents } from "../http/sse";
import {
  alertsQuerySchema,
  alertsResponseSchema,
  changeFeedSchema,
  changesQuerySchema,
  occupancyQuerySchema,
  occupancyResponseSchema,
  residentsQuerySchema,
  residentsResponseSchema,
} from "../schemas/data";
import { listAlerts } from "../services/alerts";
import { changeFeed } from "../services/changes";
import { readFreshness } from "../services/freshness";
import { withKitchenInfo } from "../services/kitchen-day";
import { occupancy, residents } from "../services/occupancy";

const DEFAULT_FEED_ENTRIES = 20;

export function dataRoutes(s: AppServices): Route[] {
  /** A kitchen's data read together with how fresh its figures are (both go in every data answer). */
  const withFreshness = <T>(kitchenId: number, data: Promise<T>) =>
    Promise.all([data, readFreshness(s.db, kitchenId, s.staleness)]);
  return [
    defineRoute({
      method: "get",
      path: API_PATHS.occupancy,
      summary: "Daily occupancy from..to (default: the kitchen's today .. today + 7; at most 400 days)",
      tag: "data",
      access: "kitchen",
      query: occupancyQuerySchema,
      response: occupancyResponseSchema,
      async handler({ kitchen, query }) {
        const [data, freshness] = await withFreshness(kitchen.id, occupancy(s.db, kitchen, query, s.now()));
        return { ...data, freshness };
      },
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.residents,
      summary: "Who sleeps in which room over 7 nights from start (default today)",
      tag: "data",
      access: "kitchen",
      query: residentsQuerySchema,
      response: residentsResponseSchema,
      async handler({ kitchen, query }) {
        const [data, freshness] = await withFreshness(
          kitchen.id,
          residents(s.db, kitchen, query.start, s.now()),
        );
        return { ...data, rooms: await withKitchenInfo(s.db, kitchen.id, data.rooms), freshness };
      },
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.changes,
      summary: "What the kitchen's recent syncs changed, in kitchen terms, newest first (one entry per sync)",
      tag: "data",
      access: "kitchen",
      query: changesQuerySchema,
      response: changeFeedSchema,
      handler: ({ kitchen, query }) =>
        changeFeed(s.db, kitchen, query.limit ?? DEFAULT_FEED_ENTRIES, s.now()),
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.events,
      summary:
        "Server-sent events (text/event-stream) of the kitchen's syncs: `sync` events with type started, synced (data committed), status or failed",
      tag: "data",
      access: "kitchen",
      status: 200,
      stream: true,
      errors: { 503: "Live updates unavailable (poll instead)" },
      async handler({ kitchen, res }) {
        await streamKitchenEvents(s.events, kitchen.id, res);
        return undefined;
      },
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.alerts,
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
