import { decryptNewbookConnection } from "@occ/core";
import type { AppServices } from "../composition-root";
import { API_PATHS } from "../contract";
import { ApiError } from "../errors";
import { defineRoute, type Route } from "../http/route";
import {
  connectionBodySchema,
  connectionSavedSchema,
  connectionTestBodySchema,
  connectionTestResultSchema,
  connectionViewSchema,
  frequentSyncBodySchema,
  frequentSyncPatchSchema,
  frequentSyncSavedSchema,
  frequentSyncViewSchema,
} from "../schemas/settings";
import {
  connectionView,
  findConnection,
  markVerified,
  sameCredentials,
  saveConnection,
} from "../services/connection";
import { connectionToTest, testNewbookConnection } from "../services/connection-test";
import {
  readSettings,
  resetBackoff,
  type SettingsInput,
  saveSettings,
  scheduleStateOf,
  settingsView,
} from "../services/frequent-sync-settings";
import { syncNow } from "../services/sync-runs/sync-now";
import { syncDepsOf } from "./sync";

export function settingsRoutes(s: AppServices): Route[] {
  /** The settings as stored now, with the schedule the owner derives from them. */
  async function currentView(kitchenId: number) {
    const read = await readSettings(s.db, kitchenId);
    return settingsView(read, s.staleness(read.connected), s.scheduler.owner.desired(scheduleStateOf(read)));
  }

  /**
   * Saves first (PostgreSQL is the truth), then brings the job scheduler in line and answers with what
   * it now says: the scheduler's real next run, or none when the kitchen is not scheduled.
   */
  async function saveAndSchedule(kitchenId: number, patch: Partial<SettingsInput>) {
    const before = await readSettings(s.db, kitchenId);
    const busyHours = patch.busy_hours ?? before.row.busyHours;
    const busyInterval =
      patch.busy_interval_minutes === undefined
        ? before.row.busyIntervalMinutes
        : patch.busy_interval_minutes;
    if (busyHours.length > 0 && busyInterval === null)
      throw new ApiError(
        400,
        "validation_error",
        "busy_interval_minutes is required when busy_hours are set",
        [{ field: "busy_interval_minutes", message: "Choose the interval for busy hours" }],
      );
    await saveSettings(s.db, kitchenId, patch);
    const outcome = await s.scheduler.applyAfterSave(kitchenId);
    return { ...(await currentView(kitchenId)), ...outcome };
  }

  const syncDeps = syncDepsOf(s);
  const testDeps = {
    config: s.config,
    rateLimiter: s.newbookLimiter,
    redisTimeoutMs: s.redisTimeoutMs,
    pool: s.probePool,
    logger: s.logger,
  };
  const testErrors = {
    429: "This connection's own request budget (shared with its syncs) is used up; Newbook was not asked (see Retry-After)",
    503: "Our rate limiter or the test's thread is temporarily unavailable; Newbook was not asked",
  };

  return [
    defineRoute({
      method: "get",
      path: API_PATHS.frequentSyncSettings,
      summary: "Frequent-sync settings and status (created with defaults on first read)",
      tag: "settings",
      access: "kitchen",
      response: frequentSyncViewSchema,
      handler: ({ kitchenId }) => currentView(kitchenId),
    }),
    defineRoute({
      method: "post",
      path: API_PATHS.frequentSyncSettings,
      summary: "Replace the frequent-sync settings; the job scheduler is updated before the response",
      tag: "settings",
      access: "kitchen",
      body: frequentSyncBodySchema,
      response: frequentSyncSavedSchema,
      handler: ({ kitchenId, body }) => saveAndSchedule(kitchenId, body),
    }),
    defineRoute({
      method: "patch",
      path: API_PATHS.frequentSyncSettings,
      summary: "Change some frequent-sync settings; the job scheduler is updated before the response",
      tag: "settings",
      access: "kitchen",
      body: frequentSyncPatchSchema,
      response: frequentSyncSavedSchema,
      handler: ({ kitchenId, body }) => saveAndSchedule(kitchenId, body),
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.connection,
      summary: "The Newbook connection (password and API key are never returned)",
      tag: "settings",
      access: "kitchen",
      response: connectionViewSchema,
      async handler({ kitchen, kitchenId }) {
        return connectionView(await findConnection(s.db, kitchenId), kitchen.timezone);
      },
    }),
    defineRoute({
      method: "put",
      path: API_PATHS.connection,
      summary:
        "Save the Newbook connection (password and api_key required the first time, kept when omitted). New " +
        "credentials are tested first; a failed test saves nothing unless save_if_test_fails. Every save " +
        "resets the back-off and, unless automatic sync is off, starts a sync at once",
      tag: "settings",
      access: "kitchen",
      body: connectionBodySchema,
      response: connectionSavedSchema,
      errors: {
        409: "The test of the new credentials failed and save_if_test_fails was not set (nothing saved)",
        ...testErrors,
      },
      async handler({ kitchen, kitchenId, body, req }) {
        const { row, created, test } = await saveConnection(
          s.db,
          s.box,
          kitchenId,
          body,
          s.config.NEWBOOK_ALLOWED_HOSTS,
          (credentials) => testNewbookConnection(credentials, testDeps),
        );
        req.log.info("newbook connection saved", { kitchen_id: kitchenId, created, tested_ok: test?.ok });
        // The manager just acted on the connection: start over at once rather than at the backed-off time.
        const settings = await resetBackoff(s.db, kitchenId);
        // With automatic sync switched off the manager decides when to sync (Sync now).
        const syncStartedAt = s.now();
        const run = settings.isEnabled
          ? await syncNow(syncDeps, kitchen).catch((error: unknown) => {
              req.log.warn("sync after a connection save not started", { kitchen_id: kitchenId, error });
              return null;
            })
          : null;
        // The schedule's first run comes an interval after that sync, not beside it.
        const outcome = await s.scheduler.applyAfterSave(kitchenId, run ? { syncStartedAt } : {});
        return {
          ...connectionView(row, kitchen.timezone),
          ...outcome,
          ...(test ? { test } : {}),
          sync_run_id: run?.run_id ?? null,
        };
      },
    }),
    defineRoute({
      method: "post",
      path: API_PATHS.connectionTest,
      summary:
        "Test Newbook credentials (unsaved values in the body, else the saved ones); a pass of exactly the " +
        "saved ones lets the kitchen sync on its own",
      tag: "settings",
      access: "kitchen",
      body: connectionTestBodySchema,
      bodyOptional: true,
      response: connectionTestResultSchema,
      errors: testErrors,
      // Runs in a worker thread: NEWBOOK_TEST_TIMEOUT_MS for Newbook, plus any wait for our own budget
      // (see newbook-probe-pool.ts, connection-test.ts).
      async handler({ kitchenId, body, req }) {
        const row = await findConnection(s.db, kitchenId);
        const saved = row ? decryptNewbookConnection(s.box, row) : null;
        const connection = connectionToTest(saved, body);
        const result = await testNewbookConnection(connection, testDeps);
        req.log.info("newbook connection tested", { kitchen_id: kitchenId, ok: result.ok });
        if (result.ok && row && saved && !row.verifiedAt && sameCredentials(saved, connection)) {
          await markVerified(s.db, kitchenId, s.now());
          await s.scheduler.applyAfterSave(kitchenId);
        }
        return result;
      },
    }),
  ];
}
