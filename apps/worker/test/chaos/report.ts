export interface InvariantResult {
  name: string;
  held: boolean;
  /** What was measured, also when it held (e.g. "6/6 kitchens, 2.1 s after the end"). */
  detail: string;
}

export interface ScenarioReport {
  name: string;
  /** What the scenario did to the system: counts of kills, wipes, restarts, faults. */
  did: string;
  durationMs: number;
  invariants: InvariantResult[];
}

export function invariant(name: string, held: boolean, detail: string): InvariantResult {
  return { name, held, detail };
}

export function failedInvariants(report: ScenarioReport): InvariantResult[] {
  return report.invariants.filter((i) => !i.held);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

const COLUMNS = [
  { title: "Scenario", width: 26 },
  { title: "What it did", width: 38 },
  { title: "Invariant", width: 36 },
  { title: "Result", width: 6 },
  { title: "Measured", width: 52 },
] as const;

/** A plain-text table: one block per scenario, one row per invariant, long cells wrapped. */
export function renderReport(reports: readonly ScenarioReport[]): string {
  const border = `+${COLUMNS.map((c) => "-".repeat(c.width + 2)).join("+")}+`;
  const row = (cells: readonly string[]) => {
    const wrapped = cells.map((cell, i) => wrap(cell, COLUMNS[i]!.width));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from(
      { length: height },
      (_, line) => `| ${wrapped.map((w, i) => (w[line] ?? "").padEnd(COLUMNS[i]!.width)).join(" | ")} |`,
    ).join("\n");
  };
  const blocks = reports.map((report) =>
    report.invariants
      .map((inv, i) =>
        row([
          i === 0 ? `${report.name} (${(report.durationMs / 1000).toFixed(1)} s)` : "",
          i === 0 ? report.did : "",
          inv.name,
          inv.held ? "held" : "FAILED",
          inv.detail,
        ]),
      )
      .join("\n"),
  );
  const failed = reports.flatMap((r) => failedInvariants(r).map((i) => `${r.name}: ${i.name}`));
  const summary = failed.length === 0 ? "Every invariant held." : `FAILED: ${failed.join("; ")}`;
  return [
    border,
    row(COLUMNS.map((c) => c.title)),
    border,
    ...blocks.flatMap((b) => [b, border]),
    summary,
  ].join("\n");
}
