import type { ChildProcess } from "node:child_process";
import { firstLine, spawnNode } from "@occ/testkit";
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
export type SimulatedProperty = SimulatorInfo["properties"][number];

/** Rooms per property, one property each; or how many properties of one size. */
type PropertySizes = { rooms: readonly number[] } | { properties: number; rooms: number };

export type SimulatorProcessOptions = PropertySizes & {
  seed: number;
  latencyMs: number;
  /** Newbook's own limit per credential and minute; when absent too high to matter, so ours is measured. */
  throttlePerMinute?: number;
  /** Zone of every property; the simulator's own mix when absent. */
  timezone?: string;
};

/**
 * The simulator (apps/newbook-sim, built) in a process of its own, as Newbook would be: a benchmark then
 * measures our side only, not the simulator's work on the same event loop. Stop it with `stopProcess`.
 */
export async function startSimulatorProcess(
  options: SimulatorProcessOptions,
): Promise<{ info: SimulatorInfo; child: ChildProcess }> {
  const properties = "properties" in options ? options.properties : options.rooms.length;
  const args = [
    `--seed=${options.seed}`,
    `--properties=${properties}`,
    `--rooms=${typeof options.rooms === "number" ? options.rooms : options.rooms.join(",")}`,
    `--latency-ms=${options.latencyMs}`,
    `--throttle=${options.throttlePerMinute ?? 1_000_000}`,
  ];
  const { timezone } = options;
  if (timezone) args.push(`--timezones=${Array.from({ length: properties }, () => timezone).join(",")}`);
  const child = spawnNode("apps/newbook-sim/dist/cli.js", { args });
  try {
    return { info: simulatorInfo.parse(JSON.parse(await firstLine(child, "the simulator"))), child };
  } catch (error) {
    child.kill("SIGTERM");
    throw error;
  }
}
