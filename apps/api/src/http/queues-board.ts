import { createHmac, timingSafeEqual } from "node:crypto";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { QueueSet } from "@occ/core";
import type { Request, RequestHandler, Response } from "express";
import { ApiError } from "../errors";
import type { Authenticator } from "./route";

export const QUEUES_BOARD_PATH = "/admin/queues";
export const QUEUES_COOKIE = "occ_queues_session";
/** Short on purpose: the cookie opens an operations console. */
export const QUEUES_SESSION_SECONDS = 30 * 60;

export interface QueuesSessionClaims {
  userId: number;
  tokenVersion: number;
}

/**
 * Signed "<userId>.<tokenVersion>.<expiresAtSeconds>.<hmac>", under a key derived from BULL_BOARD_SECRET (its
 * own secret: knowing it forges no API token, and rotating JWT_SECRET leaves it alone).
 */
export class QueuesSession {
  private readonly key: Buffer;
  constructor(
    secret: string,
    private readonly now: () => Date,
  ) {
    this.key = createHmac("sha256", secret).update("bull-board-session").digest();
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }

  issue(userId: number, tokenVersion: number): string {
    const expires = Math.floor(this.now().getTime() / 1000) + QUEUES_SESSION_SECONDS;
    const payload = `${userId}.${tokenVersion}.${expires}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /** The user and token version of a valid, unexpired cookie value, else null. */
  verify(value: string): QueuesSessionClaims | null {
    const match = /^(\d{1,10})\.(\d{1,10})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!match) return null;
    const [, userId, version, expires, signature] = match;
    const expected = Buffer.from(this.sign(`${userId}.${version}.${expires}`));
    const given = Buffer.from(signature!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    if (Number(expires) * 1000 < this.now().getTime()) return null;
    return { userId: Number(userId), tokenVersion: Number(version) };
  }

  setCookie(req: Request, res: Response, user: { id: number; tokenVersion: number }): void {
    res.cookie(QUEUES_COOKIE, this.issue(user.id, user.tokenVersion), {
      httpOnly: true,
      sameSite: "strict",
      secure: req.secure,
      path: QUEUES_BOARD_PATH,
      maxAge: QUEUES_SESSION_SECONDS * 1000,
    });
  }
}

function readCookie(req: Request, name: string): string | null {
  for (const part of (req.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join("="));
    } catch {
      // Malformed percent-encoding ("%E0%A4%A"): no valid session, not a 500.
      return null;
    }
  }
  return null;
}

/** The admin UI page that opens a board session for a signed-in admin and comes back here. */
export const QUEUES_OPEN_PAGE = "/open-queues";

/**
 * Admins only: the session cookie (a browser opening the board) or a bearer token (scripts). The user row
 * is re-read so a demoted or deleted admin loses the board at once. A browser without the cookie (a
 * bookmark, a pasted link) is sent to the admin UI, which holds the sign-in, opens a session and returns.
 */
export function queuesBoardGuard(session: QueuesSession, auth: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const cookie = readCookie(req, QUEUES_COOKIE);
    const fromCookie = cookie ? session.verify(cookie) : null;
    const cookieUser = fromCookie ? await auth.findUser(fromCookie.userId) : null;
    const user =
      fromCookie !== null
        ? cookieUser?.tokenVersion === fromCookie.tokenVersion
          ? cookieUser
          : null
        : req.get("authorization")
          ? await auth.authenticate(req)
          : null;
    if (!user && req.method === "GET" && req.accepts(["json", "html"]) === "html") {
      res.redirect(302, QUEUES_OPEN_PAGE);
      return;
    }
    if (!user)
      throw ApiError.unauthorized("Open the queue dashboard from the admin UI (it needs an admin session)");
    if (user.role !== "admin") throw ApiError.forbidden("The queue dashboard is for admins only");
    next();
  };
}

/** Bull Board over every queue (jobs and job schedulers), mounted under /admin/queues. */
export function queuesBoardRouter(queues: QueueSet) {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_BOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queues.frequent), new BullMQAdapter(queues.historical)],
    serverAdapter,
    options: { uiConfig: { boardTitle: "Occupancy Sync queues" } },
  });
  // The adapter is an Express app of its own, with Express's default X-Powered-By header.
  const board = serverAdapter.getRouter() as ReturnType<typeof serverAdapter.getRouter> & {
    disable?: (setting: string) => unknown;
  };
  board.disable?.("x-powered-by");
  return board;
}
