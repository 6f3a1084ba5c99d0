import type { Response } from "express";
import { z } from "zod";
import type { AppServices } from "../composition-root";
import { API_PATHS } from "../contract";
import { defineRoute, type Route } from "../http/route";
import {
  arrivalsResponseSchema,
  sheetParamsSchema,
  sheetQuerySchema,
  sheetResponseSchema,
} from "../schemas/kitchen-day";
import { arrivals, mealSheet } from "../services/kitchen-day";
import { sheetCsv } from "../services/kitchen-day-model";

/** Personal data: never kept by a shared cache or the browser's disk cache. */
function noStore(res: Response): void {
  res.set("Cache-Control", "no-store");
}

/** The kitchen's day: arrivals by ETA and the sheets it prints. Personal data: kitchen-scoped only. */
export function kitchenDayRoutes(s: AppServices): Route[] {
  return [
    defineRoute({
      method: "get",
      path: API_PATHS.arrivals,
      summary: "Today's and tomorrow's arrivals (kitchen's zone), grouped by hour of ETA",
      tag: "kitchen-day",
      access: "kitchen",
      response: arrivalsResponseSchema,
      handler: ({ kitchen, res }) => arrivals(s.db, kitchen, s.now()).finally(() => noStore(res)),
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.sheet,
      summary: "Breakfast sheet (default tomorrow) or dinner sheet (default tonight), by room with totals",
      tag: "kitchen-day",
      access: "kitchen",
      params: sheetParamsSchema,
      query: sheetQuerySchema,
      response: sheetResponseSchema,
      handler: ({ kitchen, params, query, res }) =>
        mealSheet(s.db, kitchen, params.meal, query.date, s.now()).finally(() => noStore(res)),
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.sheetCsv,
      summary: "The same sheet as CSV (same rows and totals)",
      tag: "kitchen-day",
      access: "kitchen",
      params: sheetParamsSchema,
      query: sheetQuerySchema,
      response: z.string().meta({ description: "CSV (RFC 4180), one line per room and a TOTAL line" }),
      responseContentType: "text/csv",
      async handler({ kitchen, params, query, res }) {
        const sheet = await mealSheet(s.db, kitchen, params.meal, query.date, s.now());
        res.attachment(`${sheet.meal}-${sheet.date}.csv`);
        noStore(res);
        return sheetCsv(sheet.rows, sheet.totals);
      },
    }),
  ];
}
