import {
  type Db,
  kitchens,
  newbookConnections,
  type RunKind,
  type RunRead,
  newbookFrequentSyncSettings as settings,
  syncRuns,
  type Tx,
} from "@occ/db";
import { and, eq, isNull, lt, type SQL, sql } from "drizzle-orm";
import { readerErrorFor } from "../alerts/texts";
import { type LocalDate, localDateIn } from "../time";
import {
  DEFAULT_DAYS_AHEAD,
  type KitchenSyncSetup,
  kitchenJoins,
  kitchenSetupFields,
  kitchenSetupOf,
  type ListingFingerprint,
} from "./context";
import { describeSyncError, SyncConfigurationError } from "./errors";
import { preparedPerHandle } from "./prepared";

export type { RunKind } from "@occ/db";

/** The next-days sync (scheduled or "sync now") drives the settings row; a historical backfill does not. */
function tracksSettings(kind: RunKind): boolean {
  return kind !== "historical";
}

const FINISHED = ["success", "failed", "skipped"];

export interface ClaimedRun {
  runId: string;
  /** The run this attempt repeats, when it had to become a new one. */
  retryOf: string | null;
}

/**
 * The run an attempt records into. History is never rewritten: a run that already finished (a retry
 * from Bull Board, a resumed historical sync) or whose worker was lost mid-run (a job taken over after
 * a crash) stays as it ended, and the attempt becomes a new run linked to it by `retry_of`. A lost
 * run is closed as failed (code worker_lost), so the crash counts in the history and success rates.
 */
export async function claimRun(
  db: Db,
  input: { runId: string; takenOver: boolean; newRunId: () => string; now?: Date },
): Promise<ClaimedRun> {
  const [row] = await db
    .select({ status: syncRuns.status })
    .from(syncRuns)
    .where(eq(syncRuns.id, input.runId));
  if (!row) return { runId: input.runId, retryOf: null };
  const lost = input.takenOver && row.status === "running";
  if (!lost && !FINISHED.includes(row.status)) return { runId: input.runId, retryOf: null };
  if (lost) {
    const now = input.now ?? new Date();
    await db
      .update(syncRuns)
      .set({
        status: "failed",
        finishedAt: now,
        errorCode: "worker_lost",
        errorMessage: "The worker running this sync stopped; another one took the job over",
      })
      .where(and(eq(syncRuns.id, input.runId), eq(syncRuns.status, "running")));
  }
  return { runId: input.newRunId(), retryOf: input.runId };
}

export interface StartRunInput {
  runId: string;
  /** The run this one repeats (see claimRun). */
  retryOf?: string | null;
  kitchenId: number;
  kind: RunKind;
  trigger: string;
  windowFrom: LocalDate;
  windowTo: LocalDate;
  jobId?: string;
  attempt?: number;
  now?: Date;
}

const bound = sql.placeholder;

const column = (c: { name: string }) => sql.identifier(c.name);
const excluded = (c: { name: string }) => sql`excluded.${column(c)}`;

/**
 * What starting a run sets on its row when the row exists already (queued by the API, or started again):
 * the values being inserted, for both ways a run starts (startRun, startFrequentRun).
 */
const RUN_RESTART = {
  status: excluded(syncRuns.status),
  windowFrom: excluded(syncRuns.windowFrom),
  windowTo: excluded(syncRuns.windowTo),
  // A retry without a job id of its own keeps the one recorded.
  jobId: sql`coalesce(${excluded(syncRuns.jobId)}, ${syncRuns.jobId})`,
  attempt: excluded(syncRuns.attempt),
  startedAt: excluded(syncRuns.startedAt),
  finishedAt: null,
  errorMessage: null,
  errorCode: null,
} satisfies { [K in keyof typeof syncRuns.$inferInsert]?: SQL | null };

/**
 * The statement of startRun with its values bound at execution (placeholders named after StartRunInput),
 * prepared once per connection (preparedPerHandle): a sync's own work is a few statements, and building each afresh
 * cost more CPU than running it. A next-days run's settings update carries the run's as a CTE.
 */
function startRunQuery(db: Db | Tx, tracked: boolean) {
  const run = db
    .insert(syncRuns)
    .values({
      id: bound("runId"),
      kitchenId: bound("kitchenId"),
      kind: bound("kind"),
      trigger: bound("trigger"),
      status: "running",
      windowFrom: bound("windowFrom"),
      windowTo: bound("windowTo"),
      jobId: bound("jobId"),
      attempt: bound("attempt"),
      queuedAt: bound("now"),
      startedAt: bound("now"),
      retryOf: bound("retryOf"),
    })
    .onConflictDoUpdate({ target: syncRuns.id, set: RUN_RESTART });
  if (!tracked) return run.prepare("occ_start_run");
  const startedRun = db.$with("started_run", {}).as(run.getSQL());
  return db
    .with(startedRun)
    .update(settings)
    .set({ lastSyncStatus: "running", updatedAt: sql`${bound("now")}::timestamptz` })
    .where(eq(settings.kitchenId, bound("kitchenId")))
    .prepare("occ_start_tracked_run");
}

const preparedStartRun = preparedPerHandle(startRunQuery);

/**
 * Marks a run as running (creating its row if the enqueuer did not), keeping a resumed run's progress.
 * One statement (see startRunQuery).
 */
export async function startRun(db: Db | Tx, input: StartRunInput): Promise<void> {
  await preparedStartRun(db, tracksSettings(input.kind)).execute({
    runId: input.runId,
    kitchenId: input.kitchenId,
    kind: input.kind,
    trigger: input.trigger,
    windowFrom: input.windowFrom,
    windowTo: input.windowTo,
    jobId: input.jobId ?? null,
    attempt: input.attempt ?? 1,
    now: input.now ?? new Date(),
    retryOf: input.retryOf ?? null,
  });
}

export type StartFrequentRunInput = Omit<StartRunInput, "kind" | "windowFrom" | "windowTo"> & { now: Date };

/**
 * startRun and loadKitchenSetup of a next-days run as one statement, its window taken by PostgreSQL: the
 * kitchen's date at the run's start in its own zone (the IANA rules Node's Intl has too), through
 * today + days ahead. Every run starts this way, and a round trip less is a tenth of an unchanged run's CPU.
 */
function startFrequentRunQuery(db: Db) {
  const now = boundAs("now", "timestamptz");
  const today = sql`(${now} at time zone ${kitchens.timezone})::date`;
  const run = sql`insert into ${syncRuns} (${sql.join(
    [
      syncRuns.id,
      syncRuns.kitchenId,
      syncRuns.kind,
      syncRuns.trigger,
      syncRuns.status,
      syncRuns.windowFrom,
      syncRuns.windowTo,
      syncRuns.jobId,
      syncRuns.attempt,
      syncRuns.queuedAt,
      syncRuns.startedAt,
      syncRuns.retryOf,
    ].map(column),
    sql`, `,
  )})
    select ${boundAs("runId", "uuid")}, ${kitchens.id}, 'frequent', ${boundAs("trigger", "text")}, 'running',
      ${today}, ${today} + coalesce(${settings.daysAhead}, ${sql.raw(String(DEFAULT_DAYS_AHEAD))}),
      ${boundAs("jobId", "text")}, ${boundAs("attempt", "integer")}, ${now}, ${now}, ${boundAs("retryOf", "uuid")}
    from ${kitchens} left join ${settings} on ${kitchenJoins.settings}
    where ${kitchens.id} = ${boundAs("kitchenId", "integer")}
    on conflict (${column(syncRuns.id)}) do update set ${sql.join(
      Object.entries(RUN_RESTART).map(
        ([key, value]) => sql`${column(syncRuns[key as keyof typeof RUN_RESTART])} = ${value ?? sql`null`}`,
      ),
      sql`, `,
    )}`;
  const startedRun = db.$with("started_run", {}).as(run);
  const runStatus = db.$with("run_status", {}).as(
    db
      .update(settings)
      .set({ lastSyncStatus: "running", updatedAt: now })
      .where(eq(settings.kitchenId, bound("kitchenId")))
      .getSQL(),
  );
  // The statement's CTEs run on the snapshot it started with: the setup read is the one before the run.
  return db
    .with(startedRun, runStatus)
    .select({ ...kitchenSetupFields(db), today: sql<string>`${today}::text` })
    .from(kitchens)
    .leftJoin(settings, kitchenJoins.settings)
    .leftJoin(newbookConnections, kitchenJoins.connection)
    .where(eq(kitchens.id, bound("kitchenId")))
    .prepare("occ_start_frequent_run");
}

const preparedStartFrequentRun = preparedPerHandle((db: Db, _shape: "frequent") => startFrequentRunQuery(db));

/** PostgreSQL's answer to a time zone it does not know (invalid_parameter_value). */
function isUnknownTimeZone(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: string }).code === "22023" && /time zone/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Marks a next-days run as running (see startRun) and reads its kitchen's setup, in one statement; answers
 * the setup and the kitchen's date at `now`, from which the run's window is taken.
 */
export async function startFrequentRun(
  db: Db,
  input: StartFrequentRunInput,
): Promise<{ setup: KitchenSyncSetup; today: LocalDate }> {
  try {
    const [row] = await preparedStartFrequentRun(db, "frequent").execute({
      runId: input.runId,
      kitchenId: input.kitchenId,
      trigger: input.trigger,
      jobId: input.jobId ?? null,
      attempt: input.attempt ?? 1,
      now: input.now,
      retryOf: input.retryOf ?? null,
    });
    return { setup: kitchenSetupOf(input.kitchenId, row), today: row!.today };
  } catch (error) {
    if (!isUnknownTimeZone(error)) throw error;
    throw new SyncConfigurationError(
      "The database does not know the kitchen's time zone; choose it again in the kitchen's settings",
    );
  }
}

export interface RunSuccessInput {
  runId: string;
  kitchenId: number;
  kind: RunKind;
  startedAt: Date;
  now: Date;
  newbookCalls: number;
  bookingsFetched: number;
  rowsChanged: number;
  dbMs: number;
  progress?: { done: number; total: number };
  /** A next-days run's ListingFingerprint, kept with the data it describes. */
  listingFingerprint?: ListingFingerprint | null;
  /** How a next-days run read Newbook (RUN_READS). */
  read?: RunRead;
}

/** A value bound at execution, cast where PostgreSQL cannot infer its type from a column. */
const boundAs = (name: string, type: string) => sql`${bound(name)}::${sql.raw(type)}`;

/**
 * The statement of recordRunSuccess with its values bound at execution, prepared once per connection
 * and shape (see startRunQuery). A next-days run's outcome, its connection's proof and its kitchen's
 * status commit together: the settings update carries the other two as CTEs.
 */
function recordRunSuccessQuery(db: Db | Tx, tracked: boolean, withFingerprint: boolean) {
  const now = boundAs("now", "timestamptz");
  const run = db
    .update(syncRuns)
    .set({
      status: "success",
      finishedAt: now,
      durationMs: boundAs("durationMs", "integer"),
      newbookCalls: boundAs("newbookCalls", "integer"),
      bookingsFetched: boundAs("bookingsFetched", "integer"),
      rowsChanged: boundAs("rowsChanged", "integer"),
      dbMs: boundAs("dbMs", "integer"),
      read: boundAs("read", "varchar"),
      errorMessage: null,
      errorCode: null,
      // Without progress (a next-days run), the run's stays as it is.
      progressDone: sql`coalesce(${boundAs("progressDone", "integer")}, ${syncRuns.progressDone})`,
      progressTotal: sql`coalesce(${boundAs("progressTotal", "integer")}, ${syncRuns.progressTotal})`,
    })
    .where(eq(syncRuns.id, bound("runId")));
  if (!tracked) return run.prepare("occ_record_run_success");
  const finishedRun = db.$with("finished_run", {}).as(run.getSQL());
  // A run that worked proves the credentials it was started with: a connection saved before the run began
  // and not yet verified (saved although its test failed) may now sync on its own.
  const verifiedConnection = db.$with("verified_connection", {}).as(
    db
      .update(newbookConnections)
      .set({ verifiedAt: now })
      .where(
        and(
          eq(newbookConnections.kitchenId, bound("kitchenId")),
          isNull(newbookConnections.verifiedAt),
          lt(newbookConnections.updatedAt, bound("startedAt")),
        ),
      )
      .getSQL(),
  );
  return db
    .with(finishedRun, verifiedConnection)
    .update(settings)
    .set({
      lastSyncStatus: "success",
      lastSyncAt: now,
      lastSuccessAt: now,
      lastDurationMs: boundAs("durationMs", "integer"),
      consecutiveFailures: 0,
      lastErrorMessage: null,
      lastErrorCode: null,
      updatedAt: now,
      ...(withFingerprint ? { listingFingerprint: boundAs("listingFingerprint", "jsonb") } : {}),
    })
    .where(eq(settings.kitchenId, bound("kitchenId")))
    .prepare(withFingerprint ? "occ_record_tracked_success_listing" : "occ_record_tracked_success");
}

/** Which of recordRunSuccessQuery's statements: the settings row is tracked, and with the fingerprint. */
type SuccessShape = "untracked" | "tracked" | "tracked-with-fingerprint";

const preparedRecordRunSuccess = preparedPerHandle((db: Db | Tx, shape: SuccessShape) =>
  recordRunSuccessQuery(db, shape !== "untracked", shape === "tracked-with-fingerprint"),
);

/**
 * Written by the engine inside the sync transaction, so data and status commit together (or on its own
 * when a run wrote nothing else). One statement (see recordRunSuccessQuery).
 */
export async function recordRunSuccess(db: Db | Tx, input: RunSuccessInput): Promise<number> {
  const durationMs = Math.max(0, input.now.getTime() - input.startedAt.getTime());
  const tracked = tracksSettings(input.kind);
  // undefined: the stored fingerprint is left as it is.
  const withFingerprint = tracked && input.listingFingerprint !== undefined;
  const query = preparedRecordRunSuccess(
    db,
    withFingerprint ? "tracked-with-fingerprint" : tracked ? "tracked" : "untracked",
  );
  const { listingFingerprint } = input;
  await query.execute({
    runId: input.runId,
    kitchenId: input.kitchenId,
    startedAt: input.startedAt,
    now: input.now,
    durationMs,
    newbookCalls: input.newbookCalls,
    bookingsFetched: input.bookingsFetched,
    rowsChanged: input.rowsChanged,
    dbMs: input.dbMs,
    read: input.read ?? null,
    progressDone: input.progress?.done ?? null,
    progressTotal: input.progress?.total ?? null,
    // A null fingerprint is SQL NULL (forgotten), not JSON null.
    listingFingerprint:
      listingFingerprint === undefined || listingFingerprint === null
        ? null
        : JSON.stringify(listingFingerprint),
  });
  return durationMs;
}

export interface RunFailureInput {
  runId: string;
  kitchenId: number;
  kind: RunKind;
  error: unknown;
  /** False while the job still has attempts left: the run goes back to queued and nothing is counted. */
  final: boolean;
  durationMs: number;
  /** Replaces the run's count; the engine already stores it when a run fails, so it is rarely needed. */
  newbookCalls?: number;
  attempt?: number;
  now?: Date;
}

export async function recordRunFailure(
  db: Db,
  input: RunFailureInput,
): Promise<{ consecutiveFailures: number }> {
  const now = input.now ?? new Date();
  const { code, message } = describeSyncError(input.error);
  return db.transaction(async (tx) => {
    await tx
      .update(syncRuns)
      .set({
        status: input.final ? "failed" : "queued",
        finishedAt: input.final ? now : null,
        durationMs: input.durationMs,
        errorMessage: message,
        errorCode: code,
        ...(input.newbookCalls === undefined ? {} : { newbookCalls: input.newbookCalls }),
        ...(input.attempt === undefined ? {} : { attempt: input.attempt }),
      })
      .where(eq(syncRuns.id, input.runId));
    if (!tracksSettings(input.kind)) return { consecutiveFailures: 0 };
    const [row] = await tx
      .update(settings)
      .set(
        input.final
          ? {
              lastSyncStatus: "failed",
              lastSyncAt: now,
              // "Last sync … took N s" describes one run: this one, not the last success.
              lastDurationMs: input.durationMs,
              // The manager reads the plain version; the run keeps the technical one for admins.
              lastErrorMessage: readerErrorFor(code).text,
              lastErrorCode: code,
              consecutiveFailures: sql`${settings.consecutiveFailures} + 1`,
              updatedAt: now,
            }
          : { lastErrorMessage: readerErrorFor(code).text, updatedAt: now },
      )
      .where(eq(settings.kitchenId, input.kitchenId))
      .returning({ consecutiveFailures: settings.consecutiveFailures });
    return { consecutiveFailures: row?.consecutiveFailures ?? 0 };
  });
}

export interface RunDeferredInput {
  runId: string;
  kitchenId: number;
  message: string;
  /** Why it waits: its credential's request budget, or its kitchen held by another run (a "Sync now"). */
  code: "rate_limited" | "kitchen_busy";
}

/**
 * A run waiting in the queue (for its credential's request budget, or for its kitchen): back to queued,
 * saying why. Nothing about the kitchen's health changes; the settings row keeps what it shows.
 */
export async function recordRunDeferred(db: Db, input: RunDeferredInput): Promise<void> {
  await db
    .update(syncRuns)
    .set({ status: "queued", finishedAt: null, errorMessage: input.message, errorCode: input.code })
    .where(and(eq(syncRuns.id, input.runId), eq(syncRuns.kitchenId, input.kitchenId)));
}

export interface RunSkippedInput {
  runId: string;
  kitchenId: number;
  kind: RunKind;
  trigger: string;
  reason: string;
  /** The skipped job's id: for a scheduled tick, which tick it was (repeat:<scheduler>:<due millis>). */
  jobId?: string;
  /** The run this one repeats (claimRun): a job taken over from a crashed worker stays one chain. */
  retryOf?: string | null;
  windowFrom?: LocalDate;
  windowTo?: LocalDate;
  now?: Date;
}

/**
 * A run that found the kitchen busy (or lost it mid-run). It is history only: the kitchen's last real
 * status (success, failure, or the busy run's "running") stays what the page shows. Its window is the
 * kitchen's local "today", like every other run's.
 */
export async function recordRunSkipped(db: Db, input: RunSkippedInput): Promise<void> {
  const now = input.now ?? new Date();
  const [kitchen] = await db
    .select({ timezone: kitchens.timezone })
    .from(kitchens)
    .where(eq(kitchens.id, input.kitchenId));
  const today = localDateIn(kitchen?.timezone ?? "UTC", now);
  await db
    .insert(syncRuns)
    .values({
      id: input.runId,
      kitchenId: input.kitchenId,
      kind: input.kind,
      trigger: input.trigger,
      status: "skipped",
      jobId: input.jobId ?? null,
      retryOf: input.retryOf ?? null,
      windowFrom: input.windowFrom ?? today,
      windowTo: input.windowTo ?? input.windowFrom ?? today,
      queuedAt: now,
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      errorMessage: input.reason,
      errorCode: "skipped",
    })
    .onConflictDoUpdate({
      target: syncRuns.id,
      set: {
        status: "skipped",
        jobId: sql`coalesce(${input.jobId ?? null}::text, ${syncRuns.jobId})`,
        finishedAt: now,
        errorMessage: input.reason,
        errorCode: "skipped",
      },
    });
}

/**
 * Keeps the Newbook calls of a failing run on its row (the error itself cannot carry them to the worker).
 * Best effort: it must never hide the failure being reported.
 */
export async function recordRunCalls(db: Db, runId: string, newbookCalls: number): Promise<void> {
  await db
    .update(syncRuns)
    .set({ newbookCalls })
    .where(eq(syncRuns.id, runId))
    .catch(() => undefined);
}
