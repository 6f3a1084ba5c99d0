import { schedulerIdFor } from "@occ/core";
import { planReconcile } from "./reconcile-plan";

describe("planReconcile", () => {
  it("does nothing when Redis matches", () => {
    expect(
      planReconcile([{ kitchenId: 1, everyMs: 300_000 }], [{ id: schedulerIdFor(1), everyMs: 300_000 }]),
    ).toEqual([]);
  });

  it("creates every missing scheduler (e.g. after Redis lost its data)", () => {
    expect(
      planReconcile(
        [
          { kitchenId: 1, everyMs: 300_000 },
          { kitchenId: 2, everyMs: 600_000 },
        ],
        [],
      ),
    ).toEqual([
      { type: "create", kitchenId: 1, everyMs: 300_000 },
      { type: "create", kitchenId: 2, everyMs: 600_000 },
    ]);
  });

  it("fixes a wrong or non-interval period", () => {
    expect(
      planReconcile(
        [
          { kitchenId: 1, everyMs: 600_000 },
          { kitchenId: 2, everyMs: 300_000 },
        ],
        [
          { id: schedulerIdFor(1), everyMs: 300_000 },
          { id: schedulerIdFor(2), everyMs: null },
        ],
      ),
    ).toEqual([
      { type: "update", kitchenId: 1, everyMs: 600_000, fromEveryMs: 300_000 },
      { type: "update", kitchenId: 2, everyMs: 300_000, fromEveryMs: null },
    ]);
  });

  it("removes orphans and schedulers of an older id scheme", () => {
    expect(
      planReconcile(
        [{ kitchenId: 1, everyMs: 300_000 }],
        [
          { id: schedulerIdFor(1), everyMs: 300_000 },
          { id: schedulerIdFor(9), everyMs: 300_000 },
          { id: "kitchen-1", everyMs: 300_000 },
        ],
      ),
    ).toEqual([
      { type: "remove", schedulerId: schedulerIdFor(9) },
      { type: "remove", schedulerId: "kitchen-1" },
    ]);
  });
});
