import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Logger } from "@occ/core";
import { z } from "zod";
import { ApiError } from "./errors";

/**
 * PGlite is single-process: while `npm start` holds the embedded database in DATA_DIR, no other process may
 * open it. The process holding it therefore serves the admin CLI's commands itself, on 127.0.0.1 only,
 * to callers that read this file's token (mode 0600 in DATA_DIR: whoever may read the database files).
 */
export const ADMIN_ENDPOINT_FILE = "admin-endpoint.json";
const MAX_BODY_BYTES = 64 * 1024;

const endpointFileSchema = z.object({ url: z.url(), token: z.string().min(32), pid: z.number().int() });
type EndpointFile = z.infer<typeof endpointFileSchema>;

const commandSchema = z.object({
  command: z.string().min(1).max(64),
  values: z.record(z.string(), z.union([z.string(), z.boolean()])),
});
export type AdminCommandRequest = z.infer<typeof commandSchema>;

export type AdminCommandRunner = (request: AdminCommandRequest) => Promise<unknown>;

function endpointPath(dataDir: string): string {
  return path.join(dataDir, ADMIN_ENDPOINT_FILE);
}

export interface AdminEndpoint {
  url: string;
  close(): Promise<void>;
}

/** Serves admin commands for the process that holds the embedded database (see the file comment). */
export async function startAdminEndpoint(opts: {
  dataDir: string;
  run: AdminCommandRunner;
  logger: Logger;
}): Promise<AdminEndpoint> {
  const token = randomBytes(32).toString("base64url");
  const expected = Buffer.from(`Bearer ${token}`);
  const server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const given = Buffer.from(req.headers.authorization ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return answer(401, { error: { code: "unauthorized", message: "Wrong or missing admin token" } });
    if (req.method !== "POST" || req.url !== "/command")
      return answer(404, { error: { code: "not_found", message: "POST /command only" } });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      void (async () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          return answer(400, { error: { code: "bad_request", message: "The body must be JSON" } });
        }
        const parsed = commandSchema.safeParse(body);
        if (!parsed.success)
          return answer(400, { error: { code: "bad_request", message: z.prettifyError(parsed.error) } });
        try {
          const result = await opts.run(parsed.data);
          opts.logger.info("admin command run for the CLI", { command: parsed.data.command });
          answer(200, { result: result ?? null });
        } catch (error) {
          if (error instanceof ApiError)
            return answer(error.status, { error: { code: error.code, message: error.message } });
          opts.logger.error("admin command failed", { command: parsed.data.command, error: String(error) });
          answer(500, { error: { code: "internal", message: "The command failed; see the server's log" } });
        }
      })();
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = endpointPath(opts.dataDir);
  const info: EndpointFile = { url, token, pid: process.pid };
  // Written whole, then renamed: a CLI never reads half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(info), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return {
    url,
    async close() {
      // Only our own file: a newer process may have replaced it.
      if (readEndpointFile(opts.dataDir)?.token === token) rmSync(file, { force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readEndpointFile(dataDir: string): EndpointFile | null {
  try {
    const parsed = endpointFileSchema.safeParse(JSON.parse(readFileSync(endpointPath(dataDir), "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs the command in the process holding DATA_DIR's embedded database, if one is running:
 * `{ handled: false }` when none is (no endpoint file, or one left by a process that is gone), so the
 * caller may open the database itself. A live holder that does not answer is an error, never a reason to
 * open the database beside it.
 */
export async function runInHoldingProcess(
  dataDir: string,
  request: AdminCommandRequest,
): Promise<{ handled: false } | { handled: true; result: unknown }> {
  const info = readEndpointFile(dataDir);
  if (!info || !isAlive(info.pid)) return { handled: false };
  let res: Response;
  try {
    res = await fetch(`${info.url}/command`, {
      method: "POST",
      headers: { authorization: `Bearer ${info.token}`, "content-type": "application/json" },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(60_000),
    });
  } catch {
    throw new ApiError(
      503,
      "holder_unreachable",
      `Process ${info.pid} holds the embedded database in ${dataDir} but its admin endpoint does not answer; ` +
        `stop it (or delete ${endpointPath(dataDir)} if no such process is ours) and try again`,
    );
  }
  const body = (await res.json()) as { result?: unknown; error?: { code: string; message: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.code ?? "failed", body.error?.message ?? "failed");
  return { handled: true, result: body.result };
}
