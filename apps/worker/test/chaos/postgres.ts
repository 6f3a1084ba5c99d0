import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { sleep, TEST_POSTGRES_URL } from "@occ/testkit";
import { Client } from "pg";
import { pollUntil } from "./wait";

const run = promisify(execFile);

/**
 * How a scenario can take PostgreSQL away: restart the local cluster for real (needs root and
 * pg_ctlcluster, and the test server must be that cluster), else terminate every backend of a database.
 */
export type PostgresDisruption =
  | { mode: "restart"; version: string; host: string; port: number }
  | { mode: "terminate"; reason: string };

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function onPath(command: string): boolean {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .some((dir) => dir && existsSync(path.join(dir, command)));
}

function configuredPort(version: string): number {
  const conf = readFileSync(`/etc/postgresql/${version}/main/postgresql.conf`, "utf8");
  return Number(/^\s*port\s*=\s*(\d+)/m.exec(conf)?.[1] ?? 5432);
}

export function choosePostgresDisruption(serverUrl = TEST_POSTGRES_URL): PostgresDisruption {
  const url = new URL(serverUrl);
  const port = Number(url.port || 5432);
  if (process.getuid?.() !== 0) return { mode: "terminate", reason: "not running as root" };
  if (!onPath("pg_ctlcluster")) return { mode: "terminate", reason: "no pg_ctlcluster" };
  if (!LOCAL_HOSTS.has(url.hostname)) return { mode: "terminate", reason: "the test server is not local" };
  const versions = existsSync("/etc/postgresql") ? readdirSync("/etc/postgresql") : [];
  const version = versions.find((v) => existsSync(`/etc/postgresql/${v}/main`) && configuredPort(v) === port);
  if (!version) return { mode: "terminate", reason: `no local cluster "main" on port ${port}` };
  return { mode: "restart", version, host: url.hostname, port };
}

async function isReady(host: string, port: number): Promise<boolean> {
  return run("pg_isready", ["-h", host, "-p", String(port), "-t", "1"]).then(
    () => true,
    () => false,
  );
}

/** Restarts the cluster and waits until it accepts connections; returns how long that took. */
export async function restartPostgres(
  target: Extract<PostgresDisruption, { mode: "restart" }>,
): Promise<number> {
  const started = Date.now();
  await run("pg_ctlcluster", ["--skip-systemctl-redirect", target.version, "main", "restart"]);
  if (!(await pollUntil(() => isReady(target.host, target.port), 60_000, 100)))
    throw new Error("PostgreSQL did not come back within 60 s of its restart");
  return Date.now() - started;
}

/** For a finally block: starts the cluster if it is down, so no scenario leaves PostgreSQL stopped. */
export async function ensurePostgresUp(disruption: PostgresDisruption): Promise<void> {
  if (disruption.mode !== "restart" || (await isReady(disruption.host, disruption.port))) return;
  await run("pg_ctlcluster", ["--skip-systemctl-redirect", disruption.version, "main", "start"]).catch(
    () => undefined, // already starting: the wait below decides
  );
  if (!(await pollUntil(() => isReady(disruption.host, disruption.port), 60_000, 200)))
    throw new Error("PostgreSQL is down and could not be started again");
}

/**
 * The fallback outage: for `durationMs`, ends every session of `database` but the caller's own as soon
 * as it appears; returns how many sessions were ended.
 */
export async function terminateBackends(
  databaseUrl: string,
  database: string,
  durationMs: number,
): Promise<number> {
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  let ended = 0;
  try {
    const until = Date.now() + durationMs;
    do {
      const result = await admin.query<{ ended: string }>(
        `select count(*) filter (where pg_terminate_backend(pid)) as ended
         from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
        [database],
      );
      ended += Number(result.rows[0]?.ended ?? 0);
      await sleep(50);
    } while (Date.now() < until);
    return ended;
  } finally {
    await admin.end();
  }
}
