import { decryptNewbookConnection } from "@occ/core";
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
import type { AppServices } from "../services";
import { connectionView, findConnection, saveConnection } from "../services/connection";
import { connectionToTest, testNewbookConnection } from "../services/connection-test";
import {
  readSettings,
  type SettingsInput,
  saveSettings,
  scheduleStateOf,
  settingsView,
} from "../services/frequent-sync-settings";

export function settingsRoutes(s: AppServices): Route[] {
  /** The settings as stored now, with the schedule the owner derives from them. */
  async function currentView(kitchenId: number) {
    const read = await readSettings(s.db, kitchenId);
    return settingsView(
      read.row,
      s.staleness(read.connected),
      s.scheduler.owner.desired(scheduleStateOf(read)),
    );
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

  const frequentSyncPath = "/api/settings/newbook-frequent-sync";
  const connectionPath = "/api/settings/newbook-connection";
  return [
    defineRoute({
      method: "get",
      path: frequentSyncPath,
      summary: "Frequent-sync settings and status (created with defaults on first read)",
      tag: "settings",
      access: "kitchen",
      response: frequentSyncViewSchema,
      handler: ({ kitchenId }) => currentView(kitchenId),
    }),
    defineRoute({
      method: "post",
      path: frequentSyncPath,
      summary: "Replace the frequent-sync settings; the job scheduler is updated before the response",
      tag: "settings",
      access: "kitchen",
      body: frequentSyncBodySchema,
      response: frequentSyncSavedSchema,
      handler: ({ kitchenId, body }) => saveAndSchedule(kitchenId, body),
    }),
    defineRoute({
      method: "patch",
      path: frequentSyncPath,
      summary: "Change some frequent-sync settings; the job scheduler is updated before the response",
      tag: "settings",
      access: "kitchen",
      body: frequentSyncPatchSchema,
      response: frequentSyncSavedSchema,
      handler: ({ kitchenId, body }) => saveAndSchedule(kitchenId, body),
    }),
    defineRoute({
      method: "get",
      path: connectionPath,
      summary: "The Newbook connection (password and API key are never returned)",
      tag: "settings",
      access: "kitchen",
      response: connectionViewSchema,
      async handler({ kitchenId }) {
        return connectionView(await findConnection(s.db, kitchenId));
      },
    }),
    defineRoute({
      method: "put",
      path: connectionPath,
      summary:
        "Save the Newbook connection (password and api_key required the first time, kept when omitted)",
      tag: "settings",
      access: "kitchen",
      body: connectionBodySchema,
      response: connectionSavedSchema,
      async handler({ kitchenId, body, req }) {
        const { view, created } = await saveConnection(
          s.db,
          s.box,
          kitchenId,
          body,
          s.config.NEWBOOK_ALLOWED_HOSTS,
        );
        req.log.info("newbook connection saved", { kitchen_id: kitchenId, created });
        // The first connection is what makes the kitchen schedulable.
        const outcome = created ? await s.scheduler.applyAfterSave(kitchenId) : { schedule_pending: false };
        return { ...view, ...outcome };
      },
    }),
    defineRoute({
      method: "post",
      path: `${connectionPath}/test`,
      summary: "Test Newbook credentials (unsaved values in the body, else the saved ones)",
      tag: "settings",
      access: "kitchen",
      body: connectionTestBodySchema,
      bodyOptional: true,
      response: connectionTestResultSchema,
      errors: { 503: "The shared rate limiter is unreachable" },
      // Runs up to NEWBOOK_TEST_TIMEOUT_MS in a worker thread (see newbook-probe-pool.ts).
      async handler({ kitchenId, body, req }) {
        const row = await findConnection(s.db, kitchenId);
        const saved = row ? decryptNewbookConnection(s.box, row) : null;
        const connection = connectionToTest(saved, body);
        const result = await testNewbookConnection(connection, {
          config: s.config,
          rateLimiter: s.newbookLimiter,
          pool: s.probePool,
        });
        req.log.info("newbook connection tested", { kitchen_id: kitchenId, ok: result.ok });
        return result;
      },
    }),
  ];
}
