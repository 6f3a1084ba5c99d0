import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ENV_VARS, loadConfig } from "@occ/core";
import { parse } from "yaml";

const root = path.resolve(__dirname, "..", "..");

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  ports?: string[];
  container_name?: string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

function compose(): ComposeFile {
  return parse(readFileSync(path.join(root, "docker-compose.yml"), "utf8"), { merge: true }) as ComposeFile;
}

/** Resolves ${VAR:?msg} / ${VAR:-default} the way compose would with the given shell environment. */
function interpolate(env: Record<string, string>, shell: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      String(value).replace(/\$\{(\w+)(?::[-?]([^}]*))?\}/g, (_m, name: string, fallback = "") =>
        shell[name] !== undefined ? shell[name]! : fallback,
      ),
    ]),
  );
}

describe("docker-compose.yml", () => {
  const { services } = compose();

  it("has PostgreSQL, Redis (AOF, noeviction), the API and a scalable worker", () => {
    expect(Object.keys(services).sort()).toEqual(["api", "postgres", "redis", "worker"]);
    expect(services.redis!.command).toEqual(
      expect.arrayContaining(["--appendonly", "yes", "--maxmemory-policy", "noeviction"]),
    );
    // --scale worker=3 fails with a fixed name or a published port.
    expect(services.worker!.container_name).toBeUndefined();
    expect(services.worker!.ports).toBeUndefined();
    for (const name of ["postgres", "redis", "api", "worker"])
      expect(services[name]!.healthcheck).toBeDefined();
  });

  it("runs entry points that the build produces", () => {
    const api = JSON.parse(readFileSync(path.join(root, "apps/api/package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const worker = JSON.parse(readFileSync(path.join(root, "apps/worker/package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(services.api!.command).toEqual(["node", "apps/api/dist/main.js"]);
    expect(services.worker!.command).toEqual(["node", "apps/worker/dist/main.js"]);
    expect(api.scripts.start).toBe("node dist/main.js");
    expect(worker.scripts.start).toBe("node dist/main.js");
    expect(existsSync(path.join(root, "apps/api/src/main.ts"))).toBe(true);
    expect(existsSync(path.join(root, "apps/worker/src/main.ts"))).toBe(true);
  });

  it("sets only variables the config schema knows, and values it accepts", () => {
    const shell = {
      JWT_SECRET: "x".repeat(40),
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
      ADMIN_EMAIL: "ops@example.com",
      ADMIN_PASSWORD: "a-long-password",
    };
    for (const name of ["api", "worker"]) {
      const env = services[name]!.environment ?? {};
      const unknown = Object.keys(env).filter((key) => !ENV_VARS.includes(key));
      expect(unknown).toEqual([]);
      expect(() => loadConfig(interpolate(env, shell))).not.toThrow();
    }
  });

  it("refuses to start without the production secrets", () => {
    const env = services.api!.environment ?? {};
    expect(env.JWT_SECRET).toMatch(/:\?/);
    expect(env.ENCRYPTION_KEY).toMatch(/:\?/);
  });
});
