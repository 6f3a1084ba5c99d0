import type { AppServices } from "../composition-root";
import { API_PATHS } from "../contract";
import { ApiError } from "../errors";
import { defineRoute, type Route } from "../http/route";
import { loginBodySchema, loginResponseSchema, meResponseSchema } from "../schemas/auth";
import { burnPasswordCheck, verifyPassword } from "../services/passwords";
import { bumpTokenVersion, findUserByEmail } from "../services/users";

export function authRoutes(s: AppServices): Route[] {
  return [
    defineRoute({
      method: "post",
      path: API_PATHS.login,
      summary: "Sign in with e-mail and password; returns a bearer token",
      tag: "auth",
      access: "public",
      body: loginBodySchema,
      response: loginResponseSchema,
      errors: {
        401: "Wrong e-mail or password",
        403: "Account deactivated",
        429: "Too many attempts (see Retry-After)",
      },
      async handler({ req, body }) {
        const client = req.ip ?? "unknown";
        await s.limiter.admit(client, body.email);
        const user = await findUserByEmail(s.db, body.email);
        const valid = user
          ? await verifyPassword(body.password, user.passwordHash)
          : await burnPasswordCheck(body.password).then(() => false);
        if (!user || !valid) {
          await s.limiter.recordFailure(client, body.email);
          req.log.info("login failed");
          throw new ApiError(401, "invalid_credentials", "Wrong e-mail or password");
        }
        await s.limiter.recordSuccess(client, body.email);
        if (user.deactivatedAt !== null) {
          req.log.info("login refused: deactivated", { user_id: user.id });
          throw ApiError.forbidden("This account has been deactivated; ask an administrator");
        }
        req.log.info("login", { user_id: user.id });
        const { accessToken, expiresIn } = s.tokens.issue(user.id, user.role, user.tokenVersion);
        return { access_token: accessToken, token_type: "bearer" as const, expires_in: expiresIn };
      },
    }),
    defineRoute({
      method: "post",
      path: API_PATHS.logoutEverywhere,
      summary: "End every session of the signed-in user (all tokens and Bull Board cookies issued so far)",
      tag: "auth",
      access: "user",
      async handler({ req, user }) {
        await bumpTokenVersion(s.db, user.id);
        req.log.info("logged out everywhere", { user_id: user.id });
        return undefined;
      },
    }),
    defineRoute({
      method: "get",
      path: API_PATHS.me,
      summary: "The signed-in user and their kitchen",
      tag: "auth",
      access: "user",
      response: meResponseSchema,
      async handler({ user }) {
        return {
          user: { id: user.id, email: user.email, role: user.role, kitchen_id: user.kitchenId },
          kitchen: user.kitchen,
        };
      },
    }),
  ];
}
