import { daysBetween, isLocalDate } from "@occ/core";
import { RUN_KINDS, RUN_READS, RUN_STATUSES } from "@occ/db";
import { z } from "zod";
import { localDate, nullableTimestamp, queryInt, timestamp } from "./common";

export const MAX_HISTORICAL_DAYS = 731;

export const syncNowResponseSchema = z
  .object({ run_id: z.string(), already_running: z.boolean() })
  .meta({ id: "SyncNowResult" });

export const runIdParamsSchema = z.object({
  run_id: z.uuid({ error: "run_id must be a UUID" }),
});

export const syncRunSchema = z
  .object({
    id: z.string(),
    kind: z.enum(RUN_KINDS),
    trigger: z.string(),
    status: z.enum(RUN_STATUSES),
    window_from: z.string(),
    window_to: z.string(),
    queued_at: timestamp,
    started_at: nullableTimestamp,
    finished_at: nullableTimestamp,
    duration_ms: z.number().int().nullable(),
    newbook_calls: z.number().int(),
    read: z.enum(RUN_READS).nullable().meta({
      description:
        "How a successful next-days run read Newbook: changes (only the bookings changed since the last read) or whole (the whole window); null otherwise",
    }),
    bookings_fetched: z.number().int(),
    rows_changed: z.number().int(),
    progress_done: z.number().int(),
    progress_total: z.number().int(),
    error_message: z.string().nullable(),
  })
  .meta({ id: "SyncRun" });

const STATUS_MESSAGE = `status must be one of: ${RUN_STATUSES.join(", ")}`;

export const syncRunsQuerySchema = z.object({
  limit: queryInt("limit", 1, 200).optional(),
  before: z.iso
    .datetime({ offset: true, error: "before must be an ISO 8601 timestamp (e.g. 2025-06-01T12:00:00Z)" })
    .optional(),
  status: z.enum(RUN_STATUSES, { error: STATUS_MESSAGE }).optional(),
});

export const syncRunsResponseSchema = z
  .object({ runs: z.array(syncRunSchema), next_before: nullableTimestamp })
  .meta({ id: "SyncRunPage" });

export const historicalBodySchema = z
  .object({ date_from: localDate("date_from"), date_to: localDate("date_to") })
  .superRefine((v, ctx) => {
    // Field checks already reported an invalid date; a span between invalid dates means nothing.
    if (!isLocalDate(v.date_from) || !isLocalDate(v.date_to)) return;
    const span = daysBetween(v.date_from, v.date_to);
    if (span < 0)
      ctx.addIssue({ code: "custom", path: ["date_to"], message: "date_to must not be before date_from" });
    else if (span + 1 > MAX_HISTORICAL_DAYS)
      ctx.addIssue({
        code: "custom",
        path: ["date_to"],
        message: `the range may cover at most ${MAX_HISTORICAL_DAYS} days`,
      });
  })
  .meta({ id: "HistoricalSyncRequest" });

export const historicalResponseSchema = z
  .object({ job_id: z.string(), run_id: z.string() })
  .meta({ id: "HistoricalSyncQueued" });

export const jobIdParamsSchema = z.object({
  job_id: z.string().regex(/^[A-Za-z0-9:_-]{1,100}$/, { error: "job_id is not a valid job id" }),
});

export const JOB_STATES = ["queued", "running", "success", "failed", "skipped"] as const;

export const jobStatusSchema = z
  .object({
    job_id: z.string(),
    run_id: z.string(),
    state: z.enum(JOB_STATES),
    progress: z.object({ done: z.number().int(), total: z.number().int(), percent: z.number() }),
    error_message: z.string().nullable(),
  })
  .meta({ id: "HistoricalSyncStatus" });

export const historicalSyncsQuerySchema = z.object({
  limit: queryInt("limit", 1, 100).optional().default(20),
});

export const historicalSyncSchema = jobStatusSchema
  .extend({
    date_from: z.string(),
    date_to: z.string(),
    requested_by: z.object({ id: z.number().int(), email: z.string() }).nullable(),
    queued_at: timestamp,
    started_at: nullableTimestamp,
    finished_at: nullableTimestamp,
    retry_of: z.string().nullable(),
    resumed_by: z.string().nullable(),
  })
  .meta({ id: "HistoricalSync" });

export const historicalSyncsSchema = z
  .object({ syncs: z.array(historicalSyncSchema) })
  .meta({ id: "HistoricalSyncList" });

export const resumeResponseSchema = z.object({ job_id: z.string() }).meta({ id: "HistoricalSyncResumed" });

export const STATS_PERIODS = ["24h", "7d"] as const;

export const syncStatsQuerySchema = z.object({
  period: z.enum(STATS_PERIODS, { error: `period must be one of: ${STATS_PERIODS.join(", ")}` }).optional(),
});

export const syncStatsSchema = z
  .object({
    period: z.enum(STATS_PERIODS),
    runs: z.number().int(),
    successes: z.number().int(),
    failures: z.number().int(),
    skipped: z.number().int(),
    success_rate: z.number().nullable(),
    avg_duration_ms: z.number().nullable(),
    p95_duration_ms: z.number().nullable(),
    newbook_error_rate: z.number().nullable(),
    last_failure: z.object({ at: timestamp, message: z.string().nullable() }).nullable(),
    series: z.array(
      z.object({
        bucket_start: timestamp,
        runs: z.number().int(),
        failures: z.number().int(),
        avg_duration_ms: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: "SyncStats" });
