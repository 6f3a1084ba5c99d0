import { Session } from "node:inspector/promises";

/** A CPU profile's self time, grouped by where the code comes from. */
export interface ProfileSummary {
  totalMs: number;
  groups: Array<{ group: string; ms: number; share: number }>;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

/**
 * The group a frame's self time is charged to: V8's pseudo-frames (garbage collector, program), each
 * built-in function (JSON.parse shows as "built-in parse"), each npm package, each of our files.
 */
export function groupOf(frame: ProfileNode["callFrame"]): string {
  if (frame.url === "") {
    return frame.functionName.startsWith("(") ? frame.functionName : `built-in ${frame.functionName || "?"}`;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (pkg) return pkg[1]!;
  if (frame.url.startsWith("node:")) return "node internals";
  // Our own code by file: that is where a change would go.
  const own = /\/(packages\/[^/]+|apps\/[^/]+|db|scripts)\/(?:dist|src)\/(.+)$/.exec(frame.url);
  return own ? `${own[1]}: ${own[2]}` : "other";
}

/** Profiles `work` with V8's sampling profiler (the same as `node --cpu-prof`) and summarises it. */
export async function profile(work: () => Promise<void>, top = 12): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    await work();
    const { profile: result } = await session.post("Profiler.stop");
    const nodes = result.nodes as ProfileNode[];
    const samples = result.samples ?? [];
    const deltas = result.timeDeltas ?? [];
    const byId = new Map(nodes.map((node) => [node.id, node]));
    const totals = new Map<string, number>();
    let totalUs = 0;
    samples.forEach((id, index) => {
      const node = byId.get(id);
      const us = deltas[index] ?? 0;
      if (!node || node.callFrame.functionName === "(idle)") return;
      const group = groupOf(node.callFrame);
      totals.set(group, (totals.get(group) ?? 0) + us);
      totalUs += us;
    });
    const groups = [...totals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([group, us]) => ({ group, ms: us / 1000, share: totalUs === 0 ? 0 : us / totalUs }));
    return { totalMs: totalUs / 1000, groups };
  } finally {
    session.disconnect();
  }
}
