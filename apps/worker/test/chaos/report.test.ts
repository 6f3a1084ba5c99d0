import { failedInvariants, invariant, renderReport, type ScenarioReport } from "./report";

const report = (held: boolean): ScenarioReport => ({
  name: "Redis wipe",
  did: "3 wipes while syncs were in flight",
  durationMs: 12_345,
  invariants: [
    invariant("every schedule in Redis", true, "6/6 schedulers"),
    invariant("no run left unfinished", held, held ? "all finished" : "kitchen 3 running"),
  ],
});

describe("renderReport", () => {
  it("prints one row per invariant, the scenario once, and a summary", () => {
    const text = renderReport([report(true)]);
    expect(text).toContain("Redis wipe (12.3 s)");
    expect(text.match(/Redis wipe/g)).toHaveLength(1);
    expect(text).toMatch(/every schedule in Redis\s+\| held/);
    expect(text).toContain("Every invariant held.");
    const widths = new Set(
      text
        .split("\n")
        .slice(0, -1)
        .map((line) => line.length),
    );
    expect(widths.size).toBe(1);
  });

  it("marks a failed invariant and names it in the summary", () => {
    const text = renderReport([report(false)]);
    expect(text).toMatch(/no run left unfinished\s+\| FAILED/);
    expect(text).toContain("FAILED: Redis wipe: no run left unfinished");
    expect(failedInvariants(report(false)).map((i) => i.name)).toEqual(["no run left unfinished"]);
  });
});
