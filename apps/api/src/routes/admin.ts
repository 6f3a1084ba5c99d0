import type { AppServices } from "../composition-root";
import { API_PATHS } from "../contract";
import { ApiError } from "../errors";
import { QUEUES_BOARD_PATH, QUEUES_SESSION_SECONDS, type QueuesSession } from "../http/queues-board";
import { defineRoute, type Route } from "../http/route";
import {
  fleetSchema,
  kitchenBodySchema,
  kitchenListSchema,
  kitchenPatchSchema,
  kitchensHealthQuerySchema,
  kitchensHealthSchema,
  kitchenViewSchema,
  queuesSessionSchema,
  userBodySchema,
  userListSchema,
  userPatchSchema,
  usersQuerySchema,
  userViewSchema,
} from "../schemas/admin";
import { idParams } from "../schemas/common";
import { fleetOverview } from "../services/fleet";
import { createKitchen, deleteKitchen, listKitchens, updateKitchen } from "../services/kitchens";
import { kitchensHealth } from "../services/kitchens-health";
import { createUser, deleteUser, listUsers, updateUser } from "../services/users";
import { TimeoutError, withTimeout } from "../services/with-timeout";

export function adminRoutes(s: AppServices, queuesSession: QueuesSession): Route[] {
  return [
    defineRoute({
      method: "post",
      path: API_PATHS.kitchens,
      summary: "Create a kitchen (with default sync settings: enabled, every 15 minutes, 7 days ahead)",
      tag: "admin",
      access: "admin",
      body: kitchenBodySchema,
      status: 201,
      response: kitchenViewSchema,
      async handler({ body, req }) {
        const kitchen = await createKitchen(s.db, body);
        req.log.info("kitchen created", { kitchen_id: kitchen.id });
        return kitchen;
      },
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.kitchens,
      summary: "All kitchens",
      tag: "admin",
      access: "admin",
      response: kitchenListSchema,
      handler: async () => ({ kitchens: await listKitchens(s.db) }),
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.kitchensHealth,
      summary: "Sync health of the kitchens, one page at a time (ops view): failing and stale first",
      tag: "admin",
      access: "admin",
      query: kitchensHealthQuerySchema,
      response: kitchensHealthSchema,
      handler: ({ query }) =>
        kitchensHealth(
          s.db,
          {
            page: query.page,
            pageSize: query.page_size,
            state: query.state,
            search: query.q || undefined,
            sort: query.sort,
            order: query.order,
          },
          {
            now: s.now(),
            minuteMs: s.config.SYNC_MINUTE_MS,
            backoffAfterFailures: s.config.BACKOFF_AFTER_FAILURES,
          },
        ),
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.fleet,
      summary:
        "The fleet at a glance: workers online, queue depths and trend, syncs per minute, schedule lag p95, Newbook budgets",
      tag: "admin",
      access: "admin",
      response: fleetSchema,
      errors: { 503: "Redis is unreachable" },
      async handler() {
        try {
          return await withTimeout(
            fleetOverview({ db: s.db, queues: s.queues, redis: s.redis, config: s.config, now: s.now }),
            s.redisTimeoutMs * 2,
            "Redis (fleet)",
          );
        } catch (error) {
          if (error instanceof TimeoutError)
            throw new ApiError(
              503,
              "redis_unavailable",
              "The queues cannot be read right now; try again shortly",
            );
          throw error;
        }
      },
    }),
    defineRoute({
      method: "patch",
      path: API_PATHS.kitchen,
      summary: "Rename a kitchen or change its time zone",
      tag: "admin",
      access: "admin",
      params: idParams,
      body: kitchenPatchSchema,
      response: kitchenViewSchema,
      async handler({ params, body }) {
        const kitchen = await updateKitchen(s.db, params.id, body);
        // Its sync jobs carry its name (Bull Board); the scheduler's next jobs take the new one.
        if (body.name !== undefined) await s.scheduler.applyAfterSave(params.id);
        return kitchen;
      },
    }),
    defineRoute({
      method: "delete",
      path: API_PATHS.kitchen,
      summary: "Delete a kitchen with its users, settings, connection and data; its schedule is removed",
      tag: "admin",
      access: "admin",
      params: idParams,
      async handler({ params, req }) {
        await deleteKitchen(s.db, params.id);
        await s.scheduler.applyAfterSave(params.id);
        req.log.info("kitchen deleted", { kitchen_id: params.id });
        return undefined;
      },
    }),
    defineRoute({
      method: "post",
      path: API_PATHS.users,
      summary: "Create a user (managers need a kitchen_id)",
      tag: "admin",
      access: "admin",
      body: userBodySchema,
      status: 201,
      response: userViewSchema,
      errors: { 409: "E-mail already in use" },
      async handler({ body, req }) {
        const user = await createUser(s.db, body);
        req.log.info("user created", { created_user_id: user.id, role: user.role });
        return user;
      },
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.users,
      summary: "All users, or one kitchen's with ?kitchen_id=",
      tag: "admin",
      access: "admin",
      query: usersQuerySchema,
      response: userListSchema,
      handler: async ({ query }) => ({ users: await listUsers(s.db, { kitchenId: query.kitchen_id }) }),
    }),
    defineRoute({
      method: "patch",
      path: API_PATHS.user,
      summary:
        "Change a user's e-mail, role or kitchen; reset the password or deactivate (both end the user's sessions)",
      tag: "admin",
      access: "admin",
      params: idParams,
      body: userPatchSchema,
      response: userViewSchema,
      errors: { 409: "E-mail already in use" },
      async handler({ params, body, user, req }) {
        if (params.id === user.id && body.active === false)
          throw ApiError.badRequest("cannot_deactivate_self", "You cannot deactivate your own account", [
            { field: "active", message: "you cannot deactivate your own account" },
          ]);
        const updated = await updateUser(s.db, params.id, body);
        req.log.info("user updated", {
          updated_user_id: updated.id,
          password_reset: body.password !== undefined,
          active: updated.active,
        });
        return updated;
      },
    }),
    defineRoute({
      method: "delete",
      path: API_PATHS.user,
      summary: "Delete a user",
      tag: "admin",
      access: "admin",
      params: idParams,
      async handler({ params, user }) {
        if (params.id === user.id)
          throw ApiError.badRequest("cannot_delete_self", "You cannot delete your own account");
        await deleteUser(s.db, params.id);
        return undefined;
      },
    }),
    defineRoute({
      method: "post",
      path: API_PATHS.queuesSession,
      summary: "Open a short-lived Bull Board session (HttpOnly cookie scoped to /admin/queues)",
      tag: "admin",
      access: "admin",
      response: queuesSessionSchema,
      async handler({ req, res, user }) {
        queuesSession.setCookie(req, res, user);
        return { expires_in: QUEUES_SESSION_SECONDS, path: QUEUES_BOARD_PATH };
      },
    }),
  ];
}
