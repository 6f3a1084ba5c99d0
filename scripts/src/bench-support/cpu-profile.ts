import { writeFile } from "node:fs/promises";
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
  children?: number[];
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

/**
 * Profiles `work` with V8's sampling profiler (the same as `node --cpu-prof`) and summarises it. The
 * profiler's own work (the inspector session stopping and serialising the profile) is left out. With
 * `saveTo`, the raw profile is also written there (opens in Chrome DevTools or speedscope).
 */
export async function profile(
  work: () => Promise<void>,
  options: { top?: number; saveTo?: string } = {},
): Promise<ProfileSummary> {
  const top = options.top ?? 12;
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    await work();
    const { profile: result } = await session.post("Profiler.stop");
    if (options.saveTo) await writeFile(options.saveTo, JSON.stringify(result));
    const nodes = result.nodes as ProfileNode[];
    const samples = result.samples ?? [];
    const deltas = result.timeDeltas ?? [];
    const byId = new Map(nodes.map((node) => [node.id, node]));
    const profilerFrames = profilerSubtrees(nodes);
    const totals = new Map<string, number>();
    let totalUs = 0;
    samples.forEach((id, index) => {
      const node = byId.get(id);
      const us = deltas[index] ?? 0;
      if (!node || node.callFrame.functionName === "(idle)" || profilerFrames.has(id)) return;
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

/** Ids of the frames under a call into node:inspector: the profiler at work, not the work profiled. */
function profilerSubtrees(nodes: ProfileNode[]): Set<number> {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const found = new Set<number>();
  const mark = (id: number) => {
    if (found.has(id)) return;
    found.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const node of nodes) if (node.callFrame.url === "node:inspector") mark(node.id);
  return found;
}
