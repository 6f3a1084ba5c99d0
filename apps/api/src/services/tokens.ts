import { createSecretKey } from "node:crypto";
import jwt from "jsonwebtoken";
import { z } from "zod";

const claimsSchema = z.object({ sub: z.string().regex(/^\d+$/), role: z.string() });

export interface TokenService {
  issue(userId: number, role: string): { accessToken: string; expiresIn: number };
  /** The user id in a valid token, or null for a missing, forged or expired one. */
  verify(token: string): number | null;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it as a
  // public key on every verify, which was a fifth of the API's CPU time.
  const key = createSecretKey(Buffer.from(secret, "utf8"));
  return {
    issue(userId, role) {
      const accessToken = jwt.sign({ role }, key, {
        algorithm: "HS256",
        subject: String(userId),
        expiresIn: ttlSeconds,
      });
      return { accessToken, expiresIn: ttlSeconds };
    },
    verify(token) {
      try {
        const decoded = jwt.verify(token, key, { algorithms: ["HS256"] });
        const claims = claimsSchema.safeParse(decoded);
        return claims.success ? Number(claims.data.sub) : null;
      } catch {
        return null;
      }
    },
  };
}
