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
import {
  connectionView,
  decryptConnection,
  findConnection,
  hasConnection,
  saveConnection,
} from "../services/connection";
import { connectionToTest, testNewbookConnection } from "../services/connection-test";
import {
  readSettings,
  type SettingsInput,
  saveSettings,
  settingsView,
} from "../services/frequent-sync-settings";

export function settingsRoutes(s: AppServices): Route[] {
  /** Saves first (PostgreSQL is the truth), then brings the job scheduler in line before answering. */
  async function saveAndSchedule(kitchenId: number, patch: Partial<SettingsInput>) {
    const row = await saveSettings(s.db, kitchenId, patch);
    const outcome = await s.scheduler.apply(kitchenId);
    const connected = await hasConnection(s.db, kitchenId);
    return { ...settingsView(row, s.staleness(connected)), ...outcome };
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
      async handler({ kitchenId }) {
        const { row, connected } = await readSettings(s.db, kitchenId);
        return settingsView(row, s.staleness(connected));
      },
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
        const outcome = created ? await s.scheduler.apply(kitchenId) : { schedule_pending: false };
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
        const saved = row ? decryptConnection(s.box, row) : null;
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
