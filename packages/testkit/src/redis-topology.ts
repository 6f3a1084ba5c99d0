/**
 * Real multi-node Redis set-ups for tests, from Debian's redis-server / redis-sentinel / redis-cli
 * (packages redis-server and redis-sentinel): a Cluster of masters, or a master with a replica watched
 * by sentinels. Each runs on free 127.0.0.1 ports out of a temporary directory; `close()` kills every
 * process it started and removes the directory.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port";
import { until } from "./wait";

const HOST = "127.0.0.1";
const BINARIES = ["redis-server", "redis-sentinel", "redis-cli"] as const;

/** The binaries that are missing from PATH (empty when all are there). */
export function missingRedisBinaries(): string[] {
  return BINARIES.filter((binary) => {
    try {
      return execFileSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).trim() === "";
    } catch {
      return true;
    }
  });
}

/**
 * `describe` when the Redis binaries are installed; otherwise `describe.skip`, with a warning naming
 * what is skipped and which Debian packages would run it.
 */
export function describeWithRedisBinaries(skipped: string): jest.Describe {
  const missing = missingRedisBinaries();
  if (missing.length === 0) return describe;
  console.warn(
    `${missing.join(", ")} not installed (Debian packages redis-server, redis-sentinel): ${skipped} skipped`,
  );
  return describe.skip;
}

export function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("redis-cli", ["-h", HOST, "-p", String(port), ...args], { timeout: 10_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    );
  });
}

/** A `field:value` of an INFO or CLUSTER INFO answer. */
function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, "m").exec(info)?.[1]?.trim();
}

/** The processes of one topology, killed together (also if the test process exits without closing). */
class Processes {
  private readonly children = new Map<number, ChildProcess>();
  private readonly killAll = () => {
    for (const child of this.children.values()) child.kill("SIGKILL");
  };

  constructor(readonly dir: string) {
    process.once("exit", this.killAll);
  }

  start(binary: string, args: string[], port: number): ChildProcess {
    const child = spawn(binary, args, { cwd: this.dir, stdio: "ignore" });
    this.children.set(port, child);
    return child;
  }

  /** SIGKILL of the process serving `port`: a crash, with no chance to hand anything over. */
  async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }

  async close(): Promise<void> {
    await Promise.all([...this.children.keys()].map((port) => this.kill(port)));
    process.removeListener("exit", this.killAll);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const serverArgs = (port: number, dir: string) => [
  "--port",
  String(port),
  "--bind",
  HOST,
  "--dir",
  dir,
  "--save",
  "",
  "--appendonly",
  "no",
  "--logfile",
  `redis-${port}.log`,
  // As in production (BullMQ requires it).
  "--maxmemory-policy",
  "noeviction",
];

/** The last lines of the log of the server on `port` (redis-PORT.log or sentinel-PORT.log), for an error. */
function logTail(dir: string, port: number): string {
  const log = readdirSync(dir).find((name) => name.endsWith(`-${port}.log`));
  return log ? readFileSync(path.join(dir, log), "utf8").split("\n").slice(-15).join("\n") : "(no log)";
}

/**
 * Starts `binary` on a free port and answers the port once it answers PING. A port found free can be
 * taken by another process before the server binds it (test files run side by side, each starting
 * servers), and so can a cluster bus port: the server then exits at once, and it is started again on
 * other ports. `argsFor` gives the arguments for a port (choosing any other port it needs afresh).
 */
async function startOnFreePort(
  processes: Processes,
  binary: string,
  argsFor: (port: number) => Promise<string[]> | string[],
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = processes.start(binary, await argsFor(port), port);
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    try {
      await until(
        `${binary} on port ${port} to answer`,
        async () => exited() || (await redisCli(port, "PING").catch(() => "")) === "PONG",
        15_000,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; its log ends:\n${logTail(processes.dir, port)}`);
    }
    if (!exited()) return port;
    if (attempt === 3) {
      throw new Error(
        `${binary} exited at start three times; its log ends:\n${logTail(processes.dir, port)}`,
      );
    }
  }
}

export interface LocalRedisCluster {
  /** The masters' addresses; REDIS_CLUSTER_NODES is `nodesEnv`. */
  ports: number[];
  nodesEnv: string;
  /** Keys on each master (DBSIZE), in `ports` order. */
  keysPerNode(): Promise<number[]>;
  /** Commands the masters have processed since they started, all together. */
  commandsProcessed(): Promise<number>;
  close(): Promise<void>;
}

/** `masters` cluster-enabled servers joined by `redis-cli --cluster create` (no replicas). */
export async function startRedisCluster(masters = 3): Promise<LocalRedisCluster> {
  const processes = new Processes(mkdtempSync(path.join(tmpdir(), "occ-redis-cluster-")));
  try {
    const ports = await Promise.all(
      Array.from({ length: masters }, () =>
        startOnFreePort(processes, "redis-server", async (port) => [
          ...serverArgs(port, processes.dir),
          "--cluster-enabled",
          "yes",
          // The bus port is chosen too: the default (port + 10000) may be taken or out of range.
          "--cluster-port",
          String(await freePort()),
          "--cluster-config-file",
          `nodes-${port}.conf`,
          "--cluster-node-timeout",
          "2000",
        ]),
      ),
    );
    await new Promise<void>((resolve, reject) =>
      execFile(
        "redis-cli",
        [
          "--cluster",
          "create",
          ...ports.map((p) => `${HOST}:${p}`),
          "--cluster-replicas",
          "0",
          "--cluster-yes",
        ],
        { timeout: 60_000 },
        (error, stdout) =>
          error ? reject(new Error(`cluster create failed: ${error.message}\n${stdout}`)) : resolve(),
      ),
    );
    await until(
      "every node to see the cluster ok",
      async () => {
        const infos = await Promise.all(ports.map((p) => redisCli(p, "CLUSTER", "INFO").catch(() => "")));
        return infos.every(
          (info) =>
            infoField(info, "cluster_state") === "ok" &&
            infoField(info, "cluster_known_nodes") === String(masters),
        );
      },
      30_000,
    );
    return {
      ports,
      nodesEnv: ports.map((p) => `${HOST}:${p}`).join(","),
      keysPerNode: () => Promise.all(ports.map(async (p) => Number(await redisCli(p, "DBSIZE")))),
      commandsProcessed: async () => {
        const stats = await Promise.all(ports.map((p) => redisCli(p, "INFO", "stats")));
        return stats.reduce((sum, info) => sum + Number(infoField(info, "total_commands_processed")), 0);
      },
      close: () => processes.close(),
    };
  } catch (error) {
    await processes.close();
    throw error;
  }
}

export interface LocalSentinelGroup {
  /** The master group name (REDIS_SENTINEL_NAME). */
  name: string;
  /** REDIS_SENTINELS. */
  sentinelsEnv: string;
  /** The port of the server the sentinels currently call master. */
  masterPort(): Promise<number>;
  /** SENTINEL FAILOVER, then waits until every sentinel names the replica master and the old master follows it. */
  failover(): Promise<{ from: number; to: number }>;
  /** SIGKILL of the master, then waits until every sentinel names the replica master (it stays alone). */
  killMaster(): Promise<{ from: number; to: number }>;
  close(): Promise<void>;
}

/** A master, one replica and three sentinels (quorum 2) on free local ports. */
export async function startSentinelGroup(name = "occ-test"): Promise<LocalSentinelGroup> {
  const processes = new Processes(mkdtempSync(path.join(tmpdir(), "occ-redis-sentinel-")));
  try {
    const masterPort = await startOnFreePort(processes, "redis-server", (port) =>
      serverArgs(port, processes.dir),
    );
    const replicaPort = await startOnFreePort(processes, "redis-server", (port) => [
      ...serverArgs(port, processes.dir),
      "--replicaof",
      HOST,
      String(masterPort),
    ]);
    await until(
      "the replica to be in sync",
      async () =>
        infoField(await redisCli(replicaPort, "INFO", "replication"), "master_link_status") === "up",
      30_000,
    );
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await startOnFreePort(processes, "redis-sentinel", (port) => {
        const file = path.join(processes.dir, `sentinel-${port}.conf`);
        // Sentinels rewrite their own configuration file, so each has one.
        writeFileSync(
          file,
          [
            `port ${port}`,
            `bind ${HOST}`,
            `dir ${processes.dir}`,
            `logfile sentinel-${port}.log`,
            `sentinel monitor ${name} ${HOST} ${masterPort} 2`,
            `sentinel down-after-milliseconds ${name} 1000`,
            `sentinel failover-timeout ${name} 10000`,
            `sentinel parallel-syncs ${name} 1`,
            "",
          ].join("\n"),
        );
        return [file];
      });
      sentinelPorts.push(port);
    }
    // SENTINEL FAILOVER needs a known replica, and the vote needs the sentinels to know each other.
    await until(
      "every sentinel to know the replica and the other sentinels",
      async () => {
        const views = await Promise.all(
          sentinelPorts.map(async (p) => {
            const master = await redisCli(p, "SENTINEL", "MASTER", name).catch(() => "");
            const lines = master.split("\n");
            const field = (f: string) => lines[lines.indexOf(f) + 1];
            return field("num-slaves") === "1" && field("num-other-sentinels") === "2";
          }),
        );
        return views.every(Boolean);
      },
      60_000,
      250,
    );
    const masterAddress = async (sentinel: number) =>
      Number((await redisCli(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)).split("\n")[1]);
    const otherThan = (port: number) => (port === masterPort ? replicaPort : masterPort);
    const namedByAll = (port: number) =>
      until(
        `every sentinel to name port ${port} master`,
        async () => {
          const named = await Promise.all(sentinelPorts.map(masterAddress));
          return named.every((p) => p === port);
        },
        60_000,
        200,
      );
    return {
      name,
      sentinelsEnv: sentinelPorts.map((p) => `${HOST}:${p}`).join(","),
      masterPort: () => masterAddress(sentinelPorts[0]!),
      async failover() {
        const from = await masterAddress(sentinelPorts[0]!);
        const to = otherThan(from);
        const answer = await redisCli(sentinelPorts[0]!, "SENTINEL", "FAILOVER", name);
        if (answer !== "OK") throw new Error(`SENTINEL FAILOVER answered ${answer}`);
        await until(
          `every sentinel to name port ${to} master, and ${from} to follow it`,
          async () => {
            const named = await Promise.all(sentinelPorts.map(masterAddress));
            const role = infoField(await redisCli(from, "INFO", "replication"), "master_link_status");
            return named.every((p) => p === to) && role === "up";
          },
          60_000,
          200,
        );
        return { from, to };
      },
      async killMaster() {
        const from = await masterAddress(sentinelPorts[0]!);
        await processes.kill(from);
        await namedByAll(otherThan(from));
        return { from, to: otherThan(from) };
      },
      close: () => processes.close(),
    };
  } catch (error) {
    await processes.close();
    throw error;
  }
}
