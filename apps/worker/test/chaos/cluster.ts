import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Rng } from "@occ/newbook-sim";
import { spawnWorker, type WorkerProcess } from "../harness";
import { attemptsFromLogs, type SyncAttempt } from "./attempts";
import { pollUntil } from "./wait";

export interface ClusterMember {
  index: number;
  process: WorkerProcess;
  /** When it was killed or exited; null while it lives. */
  endedAt: number | null;
}

/** Built worker processes sharing one environment, which a scenario kills and replaces at will. */
export class WorkerCluster {
  readonly members: ClusterMember[] = [];
  kills = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly random: Rng,
  ) {}

  spawn(): ClusterMember {
    const member: ClusterMember = {
      index: this.members.length,
      process: spawnWorker(this.env),
      endedAt: null,
    };
    void member.process.exited.then(() => {
      member.endedAt ??= Date.now();
    });
    this.members.push(member);
    return member;
  }

  live(): ClusterMember[] {
    return this.members.filter((m) => m.endedAt === null);
  }

  /** Resolves when every live worker has logged that it started. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await Promise.all(
      this.live().map((m) => m.process.waitForLog((l) => l.message === "worker started", timeoutMs)),
    );
  }

  /** Attempts still running in this member's process. */
  inFlight(member: ClusterMember): SyncAttempt[] {
    return attemptsFromLogs(member.index, member.process.logs, member.endedAt).filter(
      (a) => a.end === "running",
    );
  }

  /** Every attempt any member logged, with the attempts of dead members ended at their death. */
  attempts(): SyncAttempt[] {
    return this.members.flatMap((m) => attemptsFromLogs(m.index, m.process.logs, m.endedAt));
  }

  /** The live members with a sync in flight, waiting up to `waitMs` for one; null if none came. */
  async busyMembers(waitMs: number): Promise<ClusterMember[] | null> {
    return pollUntil(
      async () => {
        const busy = this.live().filter((m) => this.inFlight(m).length > 0);
        return busy.length > 0 && busy;
      },
      waitMs,
      20,
    );
  }

  /** A random live member, preferring one with a sync in flight (waiting up to `waitMs` for one). */
  async pickVictim(waitMs: number): Promise<{ member: ClusterMember; midSync: boolean }> {
    const busy = await this.busyMembers(waitMs);
    const pool = busy ?? this.live();
    const member = pool[Math.floor(this.random() * pool.length)]!;
    return { member, midSync: busy !== null };
  }

  async kill(member: ClusterMember): Promise<void> {
    member.endedAt = Date.now();
    member.process.kill("SIGKILL");
    this.kills++;
    await member.process.exited;
  }

  /** SIGTERM (running syncs finish), then SIGKILL whatever has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    await Promise.all(
      this.live().map(async (member) => {
        member.process.kill("SIGTERM");
        const timer = setTimeout(() => member.process.kill("SIGKILL"), graceMs);
        await member.process.exited;
        clearTimeout(timer);
      }),
    );
  }

  /** Last resort when a scenario ends, however it ended: no worker outlives it. */
  killAll(): void {
    for (const member of this.live()) member.process.kill("SIGKILL");
  }

  /** Every member's log lines, one JSON object a line tagged with its worker index, for diagnosis. */
  writeLogs(file: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const lines = this.members.flatMap((m) =>
      m.process.logs.map((l) => JSON.stringify({ worker: m.index, ...l })),
    );
    writeFileSync(file, `${lines.join("\n")}\n`);
  }

  /** Log lines of every member matching `predicate` (for counting outcomes across the cluster). */
  logs(predicate: (line: Record<string, unknown>) => boolean): Array<Record<string, unknown>> {
    return this.members.flatMap((m) => m.process.logs.filter(predicate));
  }
}
