import { type Db, kitchens, users } from "@occ/db";
import { eq, sql } from "drizzle-orm";
import type { Request } from "express";
import { ApiError } from "../errors";
import { findKitchen } from "../services/kitchens";
import type { TokenService } from "../services/tokens";
import type { Authenticator, AuthUser, Role } from "./route";

export function bearerToken(req: Request): string | null {
  const header = req.get("authorization");
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** The user with their kitchen in one round trip; prepared once, as it runs on every request. */
function authUserQuery(db: Db) {
  const query = db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      kitchenId: users.kitchenId,
      tokenVersion: users.tokenVersion,
      deactivatedAt: users.deactivatedAt,
      kitchenName: kitchens.name,
      timezone: kitchens.timezone,
    })
    .from(users)
    .leftJoin(kitchens, eq(kitchens.id, users.kitchenId))
    .where(eq(users.id, sql.placeholder("id")))
    .prepare("occ_api_auth_user");
  return async (id: number, tokenVersion?: number): Promise<AuthUser | null> => {
    const [row] = await query.execute({ id });
    // A deactivated user, or a token from before a password reset, is no session at all.
    if (!row || row.deactivatedAt !== null) return null;
    if (tokenVersion !== undefined && tokenVersion !== row.tokenVersion) return null;
    const kitchen =
      row.kitchenId !== null && row.kitchenName !== null && row.timezone !== null
        ? { id: row.kitchenId, name: row.kitchenName, timezone: row.timezone }
        : null;
    return {
      id: row.id,
      email: row.email,
      role: row.role as Role,
      kitchenId: row.kitchenId,
      kitchen,
      tokenVersion: row.tokenVersion,
    };
  };
}

/**
 * Tokens identify a user; the user row is read on every request so a deleted or deactivated user, one
 * whose role or kitchen changed, or one whose password was reset (token version), loses the old access
 * at once rather than when the token expires.
 */
export function createAuthenticator(db: Db, tokens: TokenService): Authenticator {
  const findUser = authUserQuery(db);
  return {
    findUser,
    async authenticate(req) {
      const token = bearerToken(req);
      if (!token) throw ApiError.unauthorized();
      const claims = tokens.verify(token);
      const user = claims === null ? null : await findUser(claims.userId, claims.tokenVersion);
      if (!user) throw ApiError.unauthorized("Your session is invalid or has expired; sign in again");
      req.log = req.log.child({ user_id: user.id });
      return user;
    },
    async resolveKitchen(user, requested) {
      if (user.role !== "admin") {
        if (requested !== undefined && requested !== user.kitchenId) throw ApiError.forbidden();
        if (user.kitchen === null) throw ApiError.forbidden("Your account is not attached to a kitchen");
        return user.kitchen;
      }
      const kitchenId = requested ?? user.kitchenId;
      if (kitchenId === null)
        throw ApiError.badRequest("kitchen_required", "Admins must choose a kitchen with ?kitchen_id=", [
          { field: "kitchen_id", message: "required for admins without a kitchen" },
        ]);
      if (kitchenId === user.kitchen?.id) return user.kitchen;
      const kitchen = await findKitchen(db, kitchenId);
      if (!kitchen) throw ApiError.notFound("Kitchen");
      return { id: kitchen.id, name: kitchen.name, timezone: kitchen.timezone };
    },
  };
}
