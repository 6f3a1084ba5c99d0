import { createMetrics } from "./registry";

describe("createMetrics", () => {
  it("gives each caller its own registry with the sync series", async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.syncRuns.inc({ kind: "frequent", outcome: "success" });
    a.lastSuccess.set({ kitchen: "3" }, 1_700_000_000);
    const text = await a.registry.metrics();
    expect(text).toContain('sync_runs_total{kind="frequent",outcome="success"} 1');
    expect(text).toContain('sync_last_success_timestamp_seconds{kitchen="3"} 1700000000');
    expect(await b.registry.metrics()).not.toContain('outcome="success"} 1');
  });
});
