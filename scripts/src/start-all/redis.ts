import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { Redis } from "ioredis";

export interface RedisChoice {
  url: string;
  source: "REDIS_URL" | "local" | "private";
  stop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function findOnPath(binary: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

export class RedisUnavailableError extends Error {}

/** REDIS_URL if set; else a Redis on 127.0.0.1:6379; else a private redis-server; else a clear error. */
export async function chooseRedis(configuredUrl: string | undefined): Promise<RedisChoice> {
  const none = async () => undefined;
  if (configuredUrl) {
    if (!(await reachable(configuredUrl)))
      throw new RedisUnavailableError(`REDIS_URL is set but Redis does not answer there (${configuredUrl}).`);
    return { url: configuredUrl, source: "REDIS_URL", stop: none };
  }
  const local = "redis://127.0.0.1:6379";
  if (await reachable(local)) return { url: local, source: "local", stop: none };
  const binary = findOnPath("redis-server");
  if (!binary)
    throw new RedisUnavailableError(
      "Redis is needed and none was found: set REDIS_URL, start one on 127.0.0.1:6379, or install it " +
        "(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis).",
    );
  const port = await freePort();
  // Memory only: the demo's schedules are rebuilt from the database by the reconciler anyway.
  const child = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await reachable(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await reachable(url))) {
    child.kill();
    throw new RedisUnavailableError(`Started ${binary} on port ${port} but it does not answer.`);
  }
  return {
    url,
    source: "private",
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
