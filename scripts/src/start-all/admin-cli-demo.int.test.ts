import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, spawnNode, stopProcess, until } from "@occ/testkit";
import { Redis } from "ioredis";

jest.setTimeout(240_000);

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "..", "..", "..");
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** The embedded database: no DATABASE_URL at all. */
const { DATABASE_URL: _unused, ...embeddedEnv } = process.env;

/**
 * `npm start` holds its PGlite database in DATA_DIR (single-process): the admin CLI must go through the
 * running demo, and open the database itself once the demo has stopped. Uses the build (npm run build).
 */
describe("admin CLI against the running demo's embedded database", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "occ-demo-cli-"));
  const prefix = `test-demo-cli-${process.pid}`;
  let demo: ReturnType<typeof spawnNode>;
  let output = "";

  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, [path.join(REPO, "apps/api/dist/admin-cli.js"), ...args], {
      env: {
        ...process.env,
        DATABASE_URL: "",
        DATA_DIR: dataDir,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        INIT_CWD: "",
      },
      cwd: REPO,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    demo = spawnNode("scripts/dist/start-all/main.js", {
      env: {
        ...embeddedEnv,
        NODE_ENV: "development",
        DATA_DIR: dataDir,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        API_PORT: String(await freePort()),
        METRICS_PORT: "0",
        SIM_PORT: String(await freePort()),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    demo.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    demo.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until("the demo to start", async () => output.includes("Occupancy Sync is running"), 180_000);
  });

  afterAll(async () => {
    if (demo) await stopProcess(demo);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("creates a kitchen through the demo, then reads it from the database once the demo stopped", async () => {
    expect(existsSync(path.join(dataDir, "admin-endpoint.json"))).toBe(true);
    const created = await cli("create-kitchen", "--name", "Through the demo", "--timezone", "Europe/Paris");
    expect(created).toMatchObject({ name: "Through the demo", timezone: "Europe/Paris" });
    // The demo's own kitchens are in the same database the CLI reached.
    const listed = (await cli("list-kitchens")) as { kitchens: Array<{ name: string }> };
    expect(listed.kitchens.map((k) => k.name)).toContain("Through the demo");
    expect(listed.kitchens.length).toBeGreaterThan(1);
    // The API's validation, through the endpoint, as a clear error.
    await expect(cli("create-kitchen", "--name", "X", "--timezone", "Mars/Base")).rejects.toMatchObject({
      stderr: expect.stringMatching(/timezone must be an IANA time zone/),
    });

    await stopProcess(demo);
    expect(existsSync(path.join(dataDir, "admin-endpoint.json"))).toBe(false);
    const afterStop = (await cli("list-kitchens")) as { kitchens: Array<{ name: string }> };
    expect(afterStop.kitchens.map((k) => k.name)).toEqual(listed.kitchens.map((k) => k.name));
  });
});
