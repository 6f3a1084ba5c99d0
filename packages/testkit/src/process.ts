import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

export interface NodeProcessOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** stdin is always ignored; stdout is piped and stderr inherited unless said otherwise. */
  stdio?: StdioOptions;
}

/** A built script of this repository (path from the repository root) in a Node process of its own. */
export function spawnNode(script: string, options: NodeProcessOptions = {}): ChildProcess {
  return spawn(process.execPath, [path.join(REPO_ROOT, script), ...(options.args ?? [])], {
    env: options.env ?? process.env,
    stdio: options.stdio ?? ["ignore", "pipe", "inherit"],
  });
}

/**
 * The first line the child prints (its start-up announcement). The rest of its output is drained, so a
 * chatty child never blocks on a full pipe.
 */
export async function firstLine(child: ChildProcess, what: string): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  try {
    const [line] = (await Promise.race([
      once(lines, "line"),
      once(child, "exit").then(() => {
        throw new Error(`${what} exited before it started`);
      }),
    ])) as [string];
    return line;
  } finally {
    lines.close();
    child.stdout!.resume();
  }
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`; resolves once it is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
