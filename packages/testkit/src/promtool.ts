import { execFile, execFileSync } from "node:child_process";

/** Path of Prometheus's `promtool` (Debian package `prometheus`), or null when it is not installed. */
export function findPromtool(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * `promtool check metrics` over an exposition text: the lint findings (naming, units, counters named
 * `_total`, help texts), one per line; empty when clean.
 */
export function promtoolCheckMetrics(promtool: string, exposition: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(promtool, ["check", "metrics"], (error, stdout, stderr) => {
      const findings = `${stdout}${stderr}`.split("\n").filter((line) => line.trim() !== "");
      // promtool exits 3 when it has lint findings; anything else unexpected is a failure to run it.
      if (error && error.code !== 3) reject(error);
      else resolve(findings);
    });
    child.stdin?.end(exposition);
  });
}
