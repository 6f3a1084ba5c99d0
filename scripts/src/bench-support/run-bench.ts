/** Registers a step to undo something the benchmark set up; steps run last-in first-out. */
export type Defer = (step: () => Promise<unknown> | unknown) => void;

/**
 * Runs a benchmark so that whatever it set up is undone whether it succeeds or fails (every deferred
 * step runs even if another fails, so no database, key or child process is left behind), and a failure
 * is reported with exit code 1.
 */
export function runBench(name: string, main: (defer: Defer) => Promise<void>): void {
  const steps: (() => Promise<unknown> | unknown)[] = [];
  const report = (what: string, error: unknown) =>
    process.stderr.write(
      `${name} ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  void (async () => {
    let failed = false;
    try {
      await main((step) => steps.push(step));
    } catch (error) {
      failed = true;
      report("failed", error);
    }
    for (const step of steps.reverse()) {
      try {
        await step();
      } catch (error) {
        failed = true;
        report("clean-up failed", error);
      }
    }
    if (failed) process.exit(1);
  })();
}
