import type { Db } from "@occ/db";
import type { Request } from "express";
import { ApiError } from "../errors";
import { findKitchen } from "../services/kitchens";
import type { TokenService } from "../services/tokens";
import { findUserById } from "../services/users";
import type { Authenticator, AuthUser, Role } from "./route";

export function bearerToken(req: Request): string | null {
  const header = req.get("authorization");
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

export async function findAuthUser(db: Db, id: number): Promise<AuthUser | null> {
  const row = await findUserById(db, id);
  return row ? { id: row.id, email: row.email, role: row.role as Role, kitchenId: row.kitchenId } : null;
}

/**
 * Tokens identify a user; the user row is read on every request so a deleted user, or one whose role or
 * kitchen changed, loses the old access at once rather than when the token expires.
 */
export function createAuthenticator(db: Db, tokens: TokenService): Authenticator {
  return {
    async authenticate(req) {
      const token = bearerToken(req);
      if (!token) throw ApiError.unauthorized();
      const userId = tokens.verify(token);
      const row = userId === null ? null : await findUserById(db, userId);
      if (!row) throw ApiError.unauthorized("Your session is invalid or has expired; sign in again");
      const user: AuthUser = {
        id: row.id,
        email: row.email,
        role: row.role as Role,
        kitchenId: row.kitchenId,
      };
      req.log = req.log.child({ user_id: user.id });
      return user;
    },
    async resolveKitchen(user, requested) {
      if (user.role !== "admin") {
        if (requested !== undefined && requested !== user.kitchenId) throw ApiError.forbidden();
        if (user.kitchenId === null) throw ApiError.forbidden("Your account is not attached to a kitchen");
        return user.kitchenId;
      }
      const kitchenId = requested ?? user.kitchenId;
      if (kitchenId === null)
        throw ApiError.badRequest("kitchen_required", "Admins must choose a kitchen with ?kitchen_id=", [
          { field: "kitchen_id", message: "required for admins without a kitchen" },
        ]);
      if (!(await findKitchen(db, kitchenId))) throw ApiError.notFound("Kitchen");
      return kitchenId;
    },
  };
}
