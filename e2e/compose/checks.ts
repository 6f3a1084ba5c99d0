/**
 * The checks of `npm run test:compose` (issue 12), run by e2e/compose/run.sh once the images exist: the
 * real docker-compose.yml (plus docker-compose.test.yml: the simulator, its allowlist entry, a faster
 * clock) with three workers, driven through the API's port published on 127.0.0.1 and through `docker`
 * and `docker-compose` themselves. Prints what held, check by check, and a closing "N passed, N failed".
 * Brings the stack up itself and takes it down (containers, volumes, network) whatever happens.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = process.env.COMPOSE_PROJECT_NAME ?? "occcomposetest";
const DOCKER = process.env.DOCKER ?? "docker";
const API_PORT = Number(process.env.API_PUBLISHED_PORT);
const API = `http://127.0.0.1:${API_PORT}`;
const ADMIN = { email: process.env.ADMIN_EMAIL ?? "", password: process.env.ADMIN_PASSWORD ?? "" };
const MINUTE_MS = 2_000; // SYNC_MINUTE_MS in docker-compose.test.yml
const INTERVAL_MINUTES = 5;
const INTERVAL_MS = INTERVAL_MINUTES * MINUTE_MS;
const KITCHENS = 8; // --properties in docker-compose.test.yml: one kitchen per simulated property
const STOP_GRACE_S = 40; // stop_grace_period of the worker in docker-compose.yml

const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(0)}s`;
const say = (line: string) => process.stdout.write(`[compose ${elapsed()}] ${line}\n`);

async function sh(file: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  try {
    const { stdout } = await run(file, args, {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
      timeout: opts.timeoutMs ?? 300_000,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(" ")}: ${e.stderr?.trim() || e.message}`);
  }
}
const compose = (...args: string[]) =>
  sh(
    "docker-compose",
    ["-p", PROJECT, "-f", "docker-compose.yml", "-f", "e2e/compose/docker-compose.test.yml", ...args],
    {
      timeoutMs: 600_000,
    },
  );
const docker = (...args: string[]) => sh(DOCKER, args);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something truthy, or fails naming `what`. */
async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${lastError ? ` (${lastError})` : ""}`);
    await sleep(500);
  }
}

// ---- the stack ------------------------------------------------------------------------------------

const ids = async (service: string) => (await compose("ps", "-q", service)).split("\n").filter(Boolean);
const one = async (service: string) => {
  const [id] = await ids(service);
  if (!id) throw new Error(`no ${service} container`);
  return id;
};
const inspect = async (id: string, format: string) => (await docker("inspect", "-f", format, id)).trim();
const health = (id: string) =>
  inspect(id, "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}");
const nameOf = async (id: string) => (await inspect(id, "{{.Name}}")).replace(/^\//, "");

async function allHealthy(workers: number): Promise<string[]> {
  const services = ["postgres", "redis", "api", "worker"];
  return until(
    `every service healthy with ${workers} workers`,
    async () => {
      const rows: string[] = [];
      for (const service of services) {
        const list = await ids(service);
        if (service === "worker" && list.length !== workers) return false;
        for (const id of list) {
          const status = await health(id);
          if (status !== "healthy") return false;
          rows.push(`${await nameOf(id)}=${status}`);
        }
      }
      return rows;
    },
    240_000,
  );
}

const psql = async (sql: string) =>
  (await docker("exec", await one("postgres"), "psql", "-U", "occ", "-d", "occ", "-At", "-c", sql)).trim();
const redisCli = async (...args: string[]) =>
  (await docker("exec", await one("redis"), "redis-cli", ...args)).trim();
/** A request from inside a container, to what listens only there (a worker's metrics, the simulator's control API). */
const fetchIn = async (id: string, url: string, method = "GET", body?: unknown) =>
  docker(
    "exec",
    id,
    "node",
    "-e",
    `fetch(${JSON.stringify(url)},{method:${JSON.stringify(method)},headers:{"Content-Type":"application/json"},` +
      `body:${body === undefined ? "undefined" : JSON.stringify(JSON.stringify(body))}})` +
      ".then(async r=>{process.stdout.write(await r.text());process.exit(r.ok?0:1)},e=>{console.error(e);process.exit(1)})",
  );

/** Successful frequent syncs each worker container has counted (its /metrics). */
async function successesByWorker(): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  for (const id of await ids("worker")) {
    if ((await inspect(id, "{{.State.Running}}")) !== "true") continue;
    const text = await fetchIn(id, "http://127.0.0.1:9464/metrics");
    const count = text
      .split("\n")
      .filter((l) => l.startsWith("sync_runs_total{") && l.includes('outcome="success"'))
      .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
    result.set(await nameOf(id), count);
  }
  return result;
}

/** Every outcome the running workers have counted, summed (success, failed, retry, skipped...). */
async function outcomes(): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const id of await ids("worker")) {
    if ((await inspect(id, "{{.State.Running}}")) !== "true") continue;
    const text = await fetchIn(id, "http://127.0.0.1:9464/metrics");
    for (const line of text.split("\n")) {
      const m = /^sync_runs_total\{.*outcome="([^"]+)".*\} (\d+)/.exec(line);
      if (m) sums[m[1]!] = (sums[m[1]!] ?? 0) + Number(m[2]);
    }
  }
  return sums;
}

/** The worker's log lines that end an attempt (and come before its kitchen lock is released). */
const ATTEMPT_ENDS = new Set([
  "sync finished",
  "sync skipped",
  "sync deferred: the Newbook connection's request budget is used up",
]);

/** Runs a worker container's log shows as started (kitchen lock taken) and not finished. */
async function inFlightOn(id: string): Promise<Array<{ runId: string; kitchenId: number }>> {
  // Only the current process's lines: a container restarted after a kill keeps its old log.
  const startedAt = await inspect(id, "{{.State.StartedAt}}");
  const { stdout, stderr } = await run(DOCKER, ["logs", "--since", startedAt, id], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const open = new Map<string, number>();
  for (const line of `${stdout}\n${stderr}`.split("\n")) {
    let entry: { message?: string; run_id?: string; kitchen_id?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // not one of the worker's log lines
    }
    if (!entry.run_id) continue;
    if (entry.message === "sync started") open.set(entry.run_id, entry.kitchen_id ?? 0);
    else if (entry.message && ATTEMPT_ENDS.has(entry.message)) open.delete(entry.run_id);
  }
  return [...open].map(([runId, kitchenId]) => ({ runId, kitchenId }));
}

const setSimLatency = async (ms: number) =>
  fetchIn(await one("sim"), "http://127.0.0.1:4010/_sim/latency", "PUT", { ms });

// ---- the API --------------------------------------------------------------------------------------

interface Call {
  token?: string;
  method?: string;
  body?: unknown;
}
async function api<T>(pathname: string, c: Call = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (c.token) headers.Authorization = `Bearer ${c.token}`;
  if (c.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${API}${pathname}`, {
    method: c.method ?? (c.body === undefined ? "GET" : "POST"),
    headers,
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (an error page): kept as text for the message.
  }
  return { status: res.status, body: body as T };
}
async function ok<T>(what: string, pathname: string, c: Call = {}): Promise<T> {
  const res = await api<T>(pathname, c);
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const login = async (email: string, password: string) =>
  (await ok<{ access_token: string }>(`login ${email}`, "/api/auth/login", { body: { email, password } }))
    .access_token;

interface Run {
  id: string;
  kind: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  error_message: string | null;
}
interface Kitchen {
  id: number;
  name: string;
  token: string;
  propertyIndex: number;
}
interface SimProperty {
  id: string;
  name: string;
  timezone: string;
  username: string;
  password: string;
  api_key: string;
  region: string;
}

const runsOf = async (k: Kitchen) =>
  (await ok<{ runs: Run[] }>(`runs of ${k.name}`, "/api/newbook/sync-runs?limit=100", { token: k.token }))
    .runs;
const successesSince = async (k: Kitchen, since: number) =>
  (await runsOf(k)).filter(
    (r) => r.kind === "frequent" && r.status === "success" && Date.parse(r.started_at ?? "") >= since,
  );

/** Until every kitchen has `count` successful scheduled syncs that started at or after `since`. */
async function everyKitchenSyncs(kitchens: Kitchen[], since: number, count: number, timeoutMs: number) {
  await until(
    `${count} successful sync(s) of every kitchen since ${new Date(since).toISOString()}`,
    async () => {
      for (const k of kitchens) if ((await successesSince(k, since)).length < count) return false;
      return true;
    },
    timeoutMs,
  );
}

/** The figures of every synced day, without when they were fetched (which differs between kitchens). */
async function figures(k: Kitchen): Promise<string> {
  const occ = await ok<{ days: Array<Record<string, unknown>> }>(`occupancy of ${k.name}`, "/api/occupancy", {
    token: k.token,
  });
  return JSON.stringify(occ.days.map(({ fetched_at: _f, changed_at: _c, previous: _p, ...day }) => day));
}

// ---- the checks -----------------------------------------------------------------------------------

interface Result {
  name: string;
  held: boolean;
  detail: string;
}
const results: Result[] = [];
async function check(name: string, body: () => Promise<string>): Promise<void> {
  say(`check: ${name}`);
  try {
    const detail = await body();
    results.push({ name, held: true, detail });
    say(`  held: ${detail}`);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    results.push({ name, held: false, detail });
    say(`  FAILED: ${detail}`);
    throw error;
  }
}

async function main(): Promise<void> {
  const kitchens: Kitchen[] = [];
  let adminToken = "";
  let properties: SimProperty[] = [];
  const simBaseUrl = "http://sim:4010/rest";

  const newKitchen = async (property: SimProperty, index: number, label: string): Promise<Kitchen> => {
    const kitchen = await ok<{ id: number; name: string }>("create kitchen", "/api/admin/kitchens", {
      token: adminToken,
      body: { name: `${property.name} ${label}`, timezone: property.timezone },
    });
    const email = `manager-${kitchen.id}@compose.test`;
    const password = `manager-password-${kitchen.id}`;
    await ok("create manager", "/api/admin/users", {
      token: adminToken,
      body: { email, password, role: "manager", kitchen_id: kitchen.id },
    });
    const token = await login(email, password);
    await ok("settings", "/api/settings/newbook-frequent-sync", {
      method: "PATCH",
      token,
      body: { is_enabled: true, sync_interval_minutes: INTERVAL_MINUTES },
    });
    await ok("connection", "/api/settings/newbook-connection", {
      method: "PUT",
      token,
      body: {
        base_url: simBaseUrl,
        region: property.region,
        username: property.username,
        password: property.password,
        api_key: property.api_key,
      },
    });
    return { id: kitchen.id, name: kitchen.name, token, propertyIndex: index };
  };

  await check(
    "1. all services healthy; migrations applied once though API and 3 workers start together",
    async () => {
      say("docker-compose up -d --scale worker=3");
      await compose("up", "-d", "--no-build", "--scale", "worker=3");
      const rows = await allHealthy(3);
      const journal = JSON.parse(
        readFileSync(path.join(ROOT, "db/migrations/meta/_journal.json"), "utf8"),
      ) as {
        entries: unknown[];
      };
      const [applied, distinct] = (
        await psql("select count(*), count(distinct hash) from drizzle.__drizzle_migrations")
      ).split("|");
      if (Number(applied) !== journal.entries.length || Number(distinct) !== journal.entries.length)
        throw new Error(
          `migrations table has ${applied} rows (${distinct} distinct), expected ${journal.entries.length}`,
        );
      const restarts: string[] = [];
      for (const service of ["api", "worker"])
        for (const id of await ids(service)) {
          const count = Number(await inspect(id, "{{.RestartCount}}"));
          if (count > 0) restarts.push(`${await nameOf(id)} restarted ${count}x`);
        }
      if (restarts.length) throw new Error(`containers crashed at start: ${restarts.join(", ")}`);
      return `${rows.join(", ")}; ${applied} migration(s) recorded once each; no container restarted`;
    },
  );

  await check(
    "2. kitchens created through the API sync, and the runs are spread over all 3 workers",
    async () => {
      const simLine = (await compose("logs", "--no-color", "sim"))
        .split("\n")
        .map((l) => l.slice(l.indexOf("|") + 1).trim())
        .find((l) => l.startsWith("{"));
      if (!simLine) throw new Error("the simulator printed no credentials");
      properties = (JSON.parse(simLine) as { properties: SimProperty[] }).properties;
      adminToken = await login(ADMIN.email, ADMIN.password);
      for (let i = 0; i < KITCHENS; i++) kitchens.push(await newKitchen(properties[i]!, i, "Kitchen"));
      const since = Date.now() - 60_000;
      await everyKitchenSyncs(kitchens, since, 3, 180_000);
      const byWorker = await until(
        "every worker to have run syncs",
        async () => {
          const counts = await successesByWorker();
          return counts.size === 3 && [...counts.values()].every((n) => n > 0) && counts;
        },
        60_000,
      );
      return `${KITCHENS} kitchens, each with 3+ successful syncs; successes per worker: ${[...byWorker]
        .map(([n, c]) => `${n}=${c}`)
        .join(", ")}`;
    },
  );

  await check(
    "3. docker kill of a worker mid-sync: no run lost or left running, others take over, data equal",
    async () => {
      // Slow Newbook down so syncs are in flight when the worker dies: a run from the change feed makes one
      // call, and at 1 s it could end between being seen in flight and the kill (seen once in CI).
      await setSimLatency(3_000);
      const [victim] = await ids("worker");
      const victimName = await nameOf(victim!);
      const before = await successesByWorker();
      await until(
        "a sync in flight on the worker to kill",
        async () => (await inFlightOn(victim!)).length > 0,
        120_000,
      );
      await docker("kill", victim!);
      const killedAt = Date.now();
      // Its log, read after its death, says which runs it died in the middle of.
      const victimRuns = await inFlightOn(victim!);
      if (victimRuns.length === 0) throw new Error(`${victimName} finished its syncs before the kill landed`);
      const runningAtKill = new Map<string, Kitchen>();
      for (const k of kitchens)
        for (const r of await runsOf(k)) if (r.status === "running") runningAtKill.set(r.id, k);
      for (const { runId, kitchenId } of victimRuns)
        runningAtKill.set(runId, kitchens.find((k) => k.id === kitchenId)!);
      say(
        `  killed ${victimName} in the middle of run(s) ${victimRuns.map((r) => r.runId).join(", ")}; ` +
          `${runningAtKill.size} run(s) in flight across the stack`,
      );
      await setSimLatency(20);
      // Every run that was in flight ends (the killed worker's through the abandoned-run sweep).
      const ended = await until(
        "every run in flight at the kill to end",
        async () => {
          const statuses: string[] = [];
          for (const [id, k] of runningAtKill) {
            const r = await ok<Run>("run", `/api/newbook/sync-runs/${id}`, { token: k.token });
            if (r.status === "running" || r.status === "queued") return false;
            statuses.push(r.status);
          }
          return statuses;
        },
        240_000,
      );
      await everyKitchenSyncs(kitchens, killedAt, 2, 180_000);
      const after = await successesByWorker();
      const others = [...after].filter(([n]) => n !== victimName);
      const tookOver = others.filter(([n, c]) => c > (before.get(n) ?? 0));
      if (tookOver.length < 2)
        throw new Error(`the other workers ran no new syncs: ${JSON.stringify([...after])}`);
      const leftRunning = [];
      for (const k of kitchens)
        for (const r of await runsOf(k))
          if (r.status === "running" && Date.parse(r.started_at ?? "") < killedAt) leftRunning.push(r.id);
      if (leftRunning.length) throw new Error(`runs left running: ${leftRunning.join(", ")}`);
      // Data equal to a clean sync: a new kitchen on the same property syncs once from nothing.
      const [first] = kitchens;
      const clean = await newKitchen(properties[first!.propertyIndex]!, first!.propertyIndex, "Clean");
      await everyKitchenSyncs([clean], Date.now() - 60_000, 1, 60_000);
      const [mine, theirs] = [await figures(first!), await figures(clean)];
      await ok("disable the clean kitchen", "/api/settings/newbook-frequent-sync", {
        method: "PATCH",
        token: clean.token,
        body: { is_enabled: false },
      });
      if (mine !== theirs)
        throw new Error(`${first!.name}'s data differs from a clean sync of the same property`);
      // Back to three workers for what follows (the restart policy may already have revived it).
      await compose("up", "-d", "--no-build", "--no-recreate", "--scale", "worker=3");
      const restored = (await allHealthy(3)).filter((row) => row.includes("worker")).length;
      const tally: Record<string, number> = {};
      for (const status of ended) tally[status] = (tally[status] ?? 0) + 1;
      const victimEnded: string[] = [];
      for (const { runId, kitchenId } of victimRuns) {
        const k = kitchens.find((x) => x.id === kitchenId)!;
        victimEnded.push(
          (await ok<Run>("run", `/api/newbook/sync-runs/${runId}`, { token: k.token })).status,
        );
      }
      return (
        `the killed worker's ${victimRuns.length} run(s) in flight ended ${victimEnded.join(",")}; ` +
        `all ${ended.length} in flight at the kill ended as ${JSON.stringify(tally)}; none left running; ` +
        `${tookOver.map(([n]) => n).join(" and ")} ran the next syncs; ` +
        `${first!.name}'s ${JSON.parse(mine).length} days equal a clean sync's; ${restored} workers healthy again`
      );
    },
  );

  await check("4a. docker-compose restart redis (AOF): schedules and queued work survive", async () => {
    const schedulers = async () =>
      (await redisCli("ZRANGE", "occ:frequent-sync:repeat", "0", "-1")).split("\n").filter(Boolean).sort();
    const before = await schedulers();
    if (before.length < KITCHENS) throw new Error(`only ${before.length} schedulers before the restart`);
    const delayedBefore = (await redisCli("ZRANGE", "occ:frequent-sync:delayed", "0", "-1"))
      .split("\n")
      .filter(Boolean);
    const restartedAt = Date.now();
    await compose("restart", "redis");
    await until("redis to answer", async () => (await redisCli("PING")) === "PONG", 60_000);
    const after = await schedulers();
    // Read at once, before a reconciler pass could recreate anything: the schedulers come from the AOF.
    const missing = before.filter((s) => !after.includes(s));
    if (missing.length) throw new Error(`schedulers lost in the restart: ${missing.join(", ")}`);
    let survived = 0;
    for (const job of delayedBefore) {
      const exists = Number(await redisCli("EXISTS", `occ:frequent-sync:${job}`));
      if (exists) survived += 1;
    }
    if (survived === 0) throw new Error(`none of the ${delayedBefore.length} delayed jobs survived`);
    await everyKitchenSyncs(kitchens, restartedAt, 1, 180_000);
    return (
      `${after.length} schedulers read back at once; ${survived}/${delayedBefore.length} delayed jobs still in ` +
      `Redis (the others ran meanwhile); every kitchen synced again`
    );
  });

  await check(
    "4b. docker-compose stop postgres for 20 s: runs fail and retry, /readyz 503, recovers alone",
    async () => {
      const outcomesBefore = await outcomes();
      await compose("stop", "postgres");
      const stoppedAt = Date.now();
      const statuses = new Set<number>();
      // The outage itself lasts 20 s (the scenario, not a wait for a result): /readyz is sampled throughout.
      while (Date.now() - stoppedAt < 20_000) {
        statuses.add((await api("/readyz").catch(() => ({ status: 0 }))).status);
        await sleep(500);
      }
      await compose("start", "postgres");
      const startedAgain = Date.now();
      if (!statuses.has(503))
        throw new Error(`/readyz never answered 503 while PostgreSQL was down: ${[...statuses]}`);
      await until("/readyz 200", async () => (await api("/readyz")).status === 200, 120_000);
      await everyKitchenSyncs(kitchens, startedAgain, 1, 180_000);
      const outcomesAfter = await outcomes();
      const failedOrRetried = ["failed", "retry"].reduce(
        (n, o) => n + (outcomesAfter[o] ?? 0) - (outcomesBefore[o] ?? 0),
        0,
      );
      if (failedOrRetried <= 0)
        throw new Error(`no run failed or retried during the outage: ${JSON.stringify(outcomesAfter)}`);
      const rows = await allHealthy(3);
      return (
        `/readyz answered ${[...statuses].sort().join("/")} during the outage; ${failedOrRetried} failed/retried ` +
        `attempt(s); every kitchen synced again within ${((Date.now() - startedAgain) / 1000).toFixed(0)} s; ` +
        `${rows.length} containers healthy, no manual step`
      );
    },
  );

  const steady = async (workers: number) => {
    say(`docker-compose up -d --scale worker=${workers}`);
    await compose("up", "-d", "--no-build", "--no-recreate", "--scale", `worker=${workers}`);
    // Running is enough here: what this check measures is the syncing (new replicas' first health
    // checks can take a while on a loaded machine).
    await until(
      `${workers} worker(s) running`,
      async () => {
        const list = await ids("worker");
        if (list.length !== workers) return false;
        for (const id of list) if ((await inspect(id, "{{.State.Running}}")) !== "true") return false;
        return true;
      },
      120_000,
    );
    // Runs that start one interval after the scale are counted (the first one settles the new replicas);
    // the check waits for RUNS of them per kitchen, however long a loaded machine takes, then judges
    // their spacing: a duplicate shows as two starts well inside one interval, a miss as a gap well over one.
    const RUNS = 5;
    const from = Date.now() + INTERVAL_MS;
    await everyKitchenSyncs(kitchens, from, RUNS, (RUNS + 2) * INTERVAL_MS + 120_000);
    const gaps: number[] = [];
    const off: string[] = [];
    for (const k of kitchens) {
      const starts = (await successesSince(k, from))
        .map((r) => Date.parse(r.started_at!))
        .sort((a, b) => a - b);
      for (let i = 1; i < starts.length; i += 1) {
        const gap = starts[i]! - starts[i - 1]!;
        gaps.push(gap);
        if (gap < INTERVAL_MS / 2 || gap > INTERVAL_MS * 1.5)
          off.push(`${k.name}: ${(gap / 1000).toFixed(1)} s after ${new Date(starts[i - 1]!).toISOString()}`);
      }
    }
    if (off.length)
      throw new Error(
        `with ${workers} worker(s), successive syncs of a kitchen ${INTERVAL_MS / 1000} s ± half apart, but: ${off.join("; ")}`,
      );
    const secs = (ms: number) => (ms / 1000).toFixed(1);
    return (
      `${workers} worker(s): ${gaps.length} gaps between successive syncs of ${kitchens.length} kitchens, ` +
      `${secs(Math.min(...gaps))}-${secs(Math.max(...gaps))} s apart (interval ${INTERVAL_MS / 1000} s), no duplicate, no miss`
    );
  };
  await check("5. --scale worker=1 then =4: every kitchen keeps syncing once per interval", async () => {
    const one = await steady(1);
    const four = await steady(4);
    return `${one}; ${four}`;
  });

  await check(
    "6. non-root image, its size, SIGTERM finishes the running sync within stop_grace_period",
    async () => {
      const anyWorker = (await ids("worker"))[0]!;
      const uid = (await docker("exec", anyWorker, "id", "-u")).trim();
      const user = await inspect(anyWorker, "{{.Config.User}}");
      if (uid === "0") throw new Error("the worker runs as root");
      const size = Number(await docker("image", "inspect", "-f", "{{.Size}}", "occupancy-sync:latest"));
      const base = Number(await docker("image", "inspect", "-f", "{{.Size}}", "node:20-bookworm-slim"));
      const appMb = (size - base) / 1e6;
      // A slow Newbook makes the sync outlast the signal.
      await setSimLatency(1_000);
      // SIGTERM a worker its own log shows mid-sync, so the drain is really exercised.
      const busy = await until(
        "a worker mid-sync",
        async () => {
          for (const id of await ids("worker")) {
            const runs = await inFlightOn(id);
            if (runs.length > 0) return { id, runs };
          }
          return null;
        },
        60_000,
      );
      const inFlight = new Map<string, Kitchen>();
      for (const r of busy.runs) {
        const k = kitchens.find((kitchen) => kitchen.id === r.kitchenId);
        if (k) inFlight.set(r.runId, k);
      }
      const worker = busy.id;
      const name = await nameOf(worker);
      const t0 = Date.now();
      await docker("stop", "-t", String(STOP_GRACE_S), worker);
      const stopS = (Date.now() - t0) / 1000;
      const exitCode = Number(await inspect(worker, "{{.State.ExitCode}}"));
      const logs = await docker("logs", worker).catch(() => "");
      await setSimLatency(20);
      if (exitCode !== 0) throw new Error(`${name} exited with ${exitCode} after ${stopS.toFixed(1)} s`);
      if (!logs.includes("worker stopped") || logs.includes("did not finish in time"))
        throw new Error(`${name} did not drain its syncs: ${logs.split("\n").slice(-5).join(" | ")}`);
      const ended = await until(
        "the runs in flight at SIGTERM to end",
        async () => {
          const statuses: string[] = [];
          for (const [id, k] of inFlight) {
            const r = await ok<Run>("run", `/api/newbook/sync-runs/${id}`, { token: k.token });
            if (r.status === "running" || r.status === "queued") return false;
            statuses.push(r.status);
          }
          return statuses;
        },
        120_000,
      );
      const failed = ended.filter((s) => s !== "success");
      if (failed.length) throw new Error(`runs in flight at SIGTERM ended ${ended.join(",")}`);
      return (
        `uid ${uid} (user ${user}); image ${(size / 1e6).toFixed(0)} MB, app layers ${appMb.toFixed(0)} MB ` +
        `(aim < 200 MB: ${appMb < 200 ? "met" : "NOT met"}); ${name} stopped in ${stopS.toFixed(1)} s ` +
        `(grace ${STOP_GRACE_S} s) while its log showed ${ended.length} sync(s) running, exit 0, and they all ended success`
      );
    },
  );
}

async function teardown(): Promise<void> {
  say("docker-compose down -v (containers, volumes, network)");
  await compose("down", "-v", "--remove-orphans", "-t", "5").catch((error: unknown) => say(String(error)));
}

async function dumpLogs(): Promise<void> {
  const logs = await compose("logs", "--no-color", "--tail", "40").catch(() => "");
  process.stdout.write(`---- last log lines of every container\n${logs}\n----\n`);
}

const names = [
  "1. healthy, migrations once",
  "2. spread over 3 workers",
  "3. worker killed mid-sync",
  "4a. redis restart",
  "4b. postgres outage",
  "5. scale 1 then 4",
  "6. non-root, size, SIGTERM",
];

void (async () => {
  let failed = false;
  try {
    if (!API_PORT) throw new Error("API_PUBLISHED_PORT must be set (run through e2e/compose/run.sh)");
    await main();
  } catch (error) {
    failed = true;
    if (results.every((r) => r.held))
      say(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    await dumpLogs();
  } finally {
    await teardown();
  }
  process.stdout.write("\n== what held\n");
  for (const r of results)
    process.stdout.write(`${r.held ? "HELD  " : "FAILED"} ${r.name}\n       ${r.detail}\n`);
  for (const n of names.slice(results.length)) process.stdout.write(`NOT RUN ${n}\n`);
  const passed = results.filter((r) => r.held).length;
  process.stdout.write(`compose: ${passed} passed, ${names.length - passed} failed\n`);
  process.exit(failed ? 1 : 0);
})();
