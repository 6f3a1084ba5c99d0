import { createSecretKey } from "node:crypto";
import jwt from "jsonwebtoken";
import { z } from "zod";

const claimsSchema = z.object({
  sub: z.string().regex(/^\d+$/),
  role: z.string(),
  ver: z.number().int().nonnegative().optional().default(0),
});

/** Who a token was issued to, and under which of their token versions (bumped to end sessions). */
export interface TokenSubject {
  userId: number;
  version: number;
}

export interface TokenService {
  issue(userId: number, role: string, version: number): { accessToken: string; expiresIn: number };
  /** The subject of a valid token, or null for a missing, forged or expired one. */
  verify(token: string): TokenSubject | null;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it as a
  // public key on every verify, which was a fifth of the API's CPU time.
  const key = createSecretKey(Buffer.from(secret, "utf8"));
  return {
    issue(userId, role, version) {
      const accessToken = jwt.sign({ role, ver: version }, key, {
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
        return claims.success ? { userId: Number(claims.data.sub), version: claims.data.ver } : null;
      } catch {
        return null;
      }
    },
  };
}
