import { queryKeys } from "../api/keys";
import { queriesToRefresh } from "./liveRefresh";

const all = (plan: ReturnType<typeof queriesToRefresh>) => [...plan.first, ...plan.after];

describe("queriesToRefresh", () => {
  it("refetches the figures first when a sync commits, then the feed and the status box", () => {
    const plan = queriesToRefresh({ type: "synced", booking_changes: 2 });
    expect(plan.first).toEqual([
      queryKeys.occupancyAll,
      queryKeys.residentsAll,
      queryKeys.arrivals,
      queryKeys.mealSheetsAll,
    ]);
    expect(plan.after).toEqual([queryKeys.changes, queryKeys.frequentSync]);
  });

  it("leaves the feed alone when the run changed no booking", () => {
    expect(all(queriesToRefresh({ type: "synced", booking_changes: 0 }))).not.toContainEqual(
      queryKeys.changes,
    );
  });

  it("never refetches the figures on the status event that follows a commit", () => {
    const status = all(queriesToRefresh({ type: "status", booking_changes: 0 }));
    expect(status).toContainEqual(queryKeys.frequentSync);
    expect(status).toContainEqual(queryKeys.alertsAll);
    expect(status).not.toContainEqual(queryKeys.occupancyAll);
    expect(status).not.toContainEqual(queryKeys.residentsAll);
    expect(all(queriesToRefresh({ type: "started", booking_changes: 0 }))).not.toContainEqual(
      queryKeys.occupancyAll,
    );
  });

  it("refreshes figures (their freshness) and status when a run fails", () => {
    const failed = queriesToRefresh({ type: "failed", booking_changes: 0 });
    expect(failed.first).toContainEqual(queryKeys.occupancyAll);
    expect(failed.after).toContainEqual(queryKeys.alertsAll);
  });
});
