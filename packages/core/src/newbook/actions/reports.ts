import { listParser } from "../answers";
import type { NewbookCaller } from "../call";
import {
  type EarnedRevenueRow,
  normaliseEarnedRevenue,
  normaliseOccupancyCategory,
  type OccupancyReportCategory,
  rawEarnedRevenueSchema,
  rawOccupancyCategorySchema,
} from "../types";

export function reportsOccupancy(
  caller: NewbookCaller,
  periodFrom: string,
  periodTo: string,
): Promise<OccupancyReportCategory[]> {
  const action = "reports_occupancy";
  return caller.call(
    action,
    { period_from: periodFrom, period_to: periodTo },
    listParser(action, rawOccupancyCategorySchema, normaliseOccupancyCategory),
  );
}

export function earnedRevenue(
  caller: NewbookCaller,
  periodFrom: string,
  periodTo: string,
  options: { increment?: "day" } = {},
): Promise<EarnedRevenueRow[]> {
  const action = "reports_earned_revenue";
  const params: Record<string, unknown> = { period_from: periodFrom, period_to: periodTo };
  if (options.increment) params.period_increment = options.increment;
  return caller.call(action, params, listParser(action, rawEarnedRevenueSchema, normaliseEarnedRevenue));
}
