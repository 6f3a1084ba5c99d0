import { createMetrics, newbookRequestObserver } from "./registry";

describe("createMetrics", () => {
  it("gives each caller its own registry with the sync series", async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.syncRuns.inc({ kind: "frequent", outcome: "success" });
    const text = await a.registry.metrics();
    expect(text).toContain('sync_runs_total{kind="frequent",outcome="success"} 1');
    expect(await b.registry.metrics()).not.toContain('outcome="success"} 1');
  });

  it("counts Newbook requests by action and outcome, and throttling separately", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const observe = newbookRequestObserver(metrics);
    observe({ action: "bookings_list", outcome: "ok", durationMs: 5, attempt: 0 });
    observe({ action: "bookings_list", outcome: "throttled", durationMs: 5, attempt: 0 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('newbook_requests_total{action="bookings_list",outcome="ok"} 1');
    expect(text).toContain('newbook_requests_total{action="bookings_list",outcome="throttled"} 1');
    expect(text).toContain("newbook_throttled_total 1");
  });
});
