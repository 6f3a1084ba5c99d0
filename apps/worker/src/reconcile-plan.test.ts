import { schedulerIdFor } from "@occ/core";
import { planReconcile } from "./reconcile-plan";

const NOW = 1_800_000_000_000;

describe("planReconcile", () => {
  it("does nothing when Redis matches", () => {
    expect(
      planReconcile(
        [{ kitchenId: 1, everyMs: 300_000 }],
        [{ id: schedulerIdFor(1), everyMs: 300_000, next: NOW, nextJobExists: true }],
        NOW,
      ),
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
        NOW,
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
          { id: schedulerIdFor(1), everyMs: 300_000, next: NOW, nextJobExists: true },
          { id: schedulerIdFor(2), everyMs: null, next: NOW, nextJobExists: true },
        ],
        NOW,
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
          { id: schedulerIdFor(1), everyMs: 300_000, next: NOW, nextJobExists: true },
          { id: schedulerIdFor(9), everyMs: 300_000, next: NOW, nextJobExists: true },
          { id: "kitchen-1", everyMs: 300_000, next: NOW, nextJobExists: true },
        ],
        NOW,
      ),
    ).toEqual([
      { type: "remove", schedulerId: schedulerIdFor(9) },
      { type: "remove", schedulerId: "kitchen-1" },
    ]);
  });

  it("recreates a scheduler whose next job is missing or overdue by more than one period", () => {
    const every = 300_000;
    expect(
      planReconcile(
        [
          { kitchenId: 1, everyMs: every },
          { kitchenId: 2, everyMs: every },
          { kitchenId: 3, everyMs: every },
          { kitchenId: 4, everyMs: every },
        ],
        [
          { id: schedulerIdFor(1), everyMs: every, next: NOW + 1000, nextJobExists: false },
          { id: schedulerIdFor(2), everyMs: every, next: NOW - every - 1, nextJobExists: true },
          // Late by less than one period (a busy queue): left alone.
          { id: schedulerIdFor(3), everyMs: every, next: NOW - every + 1, nextJobExists: true },
          { id: schedulerIdFor(4), everyMs: every, next: null, nextJobExists: false },
        ],
        NOW,
      ),
    ).toEqual([
      { type: "repair", kitchenId: 1, reason: "next_job_missing" },
      { type: "repair", kitchenId: 2, reason: "next_job_overdue" },
      { type: "repair", kitchenId: 4, reason: "next_job_missing" },
    ]);
  });
});
