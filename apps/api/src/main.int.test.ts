import { spawn } from "node:child_process";
import path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Runs the API's real entry point (from source, through tsx) and collects everything it prints. */
function runApiMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "apps/api/src/main.ts")], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

describe("api main", () => {
  it("logs a start-up failure as one JSON line and exits 1", async () => {
    const { code, output } = await runApiMain({
      NODE_ENV: "production",
      LOG_FORMAT: "json",
      JWT_SECRET: "x".repeat(40),
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      // Nothing listens on port 1: opening the database fails at once.
      DATABASE_URL: "postgres://occ:occ@127.0.0.1:1/occ",
      REDIS_URL: "redis://127.0.0.1:1",
    });
    expect(code).toBe(1);
    const lines = output.trim().split("\n");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "error", message: "api failed to start", service: "api" });
    expect(String(line.error)).toMatch(/ECONNREFUSED/);
    expect(lines[0]).not.toContain("    at ");
  }, 60_000);
});
