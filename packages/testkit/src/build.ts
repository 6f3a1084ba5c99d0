import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmdirSync, statSync } from "node:fs";
import path from "node:path";
import { sleep } from "./wait";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * Builds a workspace (and what it depends on) with `tsc -b` before a test starts its built entry point.
 * Test files running in parallel wait for each other through a lock directory, since concurrent `tsc -b`
 * runs would overwrite each other's output. `entry` (from the repository root) is what must exist after.
 */
export async function ensureBuilt(project: string, entry: string): Promise<void> {
  const lock = path.join(REPO_ROOT, project, "dist", ".build-lock");
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the deadline is left over from a killed run.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 180_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error(`timed out waiting for another build of ${project}`);
      await sleep(250);
    }
  }
  try {
    execFileSync(
      process.execPath,
      [path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-b", project],
      { cwd: REPO_ROOT, stdio: "pipe" },
    );
  } catch (error) {
    // Type errors elsewhere in the tree still emit JavaScript; only a missing entry point is fatal.
    if (!existsSync(path.join(REPO_ROOT, entry))) throw error;
  } finally {
    rmdirSync(lock);
  }
}
