import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";

const simulatorInfo = z.object({
  base_url: z.string(),
  control_url: z.string(),
  properties: z.array(
    z.object({
      timezone: z.string(),
      rooms: z.number(),
      username: z.string(),
      password: z.string(),
      api_key: z.string(),
      region: z.string(),
    }),
  ),
});
export type SimulatorInfo = z.infer<typeof simulatorInfo>;

export interface SimulatorProcessOptions {
  seed: number;
  /** Rooms per property, one property each. */
  rooms: number[];
  latencyMs: number;
  /** Requests per minute per credential before the simulator throttles. */
  throttlePerMinute: number;
  timezone?: string;
}

/**
 * The simulator (apps/newbook-sim, built) in a process of its own, as Newbook would be: a benchmark then
 * measures our side only, not the simulator's work on the same event loop.
 */
export async function startSimulatorProcess(
  options: SimulatorProcessOptions,
): Promise<{ info: SimulatorInfo; child: ChildProcess }> {
  const cli = path.resolve(__dirname, "../../apps/newbook-sim/dist/cli.js");
  const args = [
    cli,
    `--seed=${options.seed}`,
    `--properties=${options.rooms.length}`,
    `--rooms=${options.rooms.join(",")}`,
    `--latency-ms=${options.latencyMs}`,
    `--throttle=${options.throttlePerMinute}`,
  ];
  if (options.timezone) args.push(`--timezones=${options.rooms.map(() => options.timezone).join(",")}`);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(() => {
      throw new Error("the simulator exited before it started");
    }),
  ])) as [string];
  lines.close();
  return { info: simulatorInfo.parse(JSON.parse(first)), child };
}
