import { schedulerIdFor } from "@occ/core";
import fc from "fast-check";
import {
  type ActualScheduler,
  type DesiredSchedule,
  leftToTheirRequest,
  planReconcile,
  type ReconcileAction,
} from "./reconcile-plan";

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

const EVERY = [60_000, 300_000, 600_000, 3_600_000];

/** A fleet (desired schedules) and what Redis holds for it: any mix of right, wrong, stuck and foreign. */
const fleetArb = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 40 }).chain((kitchenIds) =>
  fc.record({
    desired: fc
      .tuple(...kitchenIds.map(() => fc.constantFrom(...EVERY)))
      .map((everys) =>
        kitchenIds.map((kitchenId, i): DesiredSchedule => ({ kitchenId, everyMs: everys[i]! })),
      ),
    actual: fc.uniqueArray(
      fc.record({
        id: fc.oneof(
          fc.integer({ min: 1, max: 60 }).map(schedulerIdFor),
          fc.constantFrom("kitchen-1", "legacy", "other:7"),
        ),
        everyMs: fc.option(fc.constantFrom(...EVERY), { nil: null }),
        next: fc.option(fc.integer({ min: NOW - 7_200_000, max: NOW + 3_600_000 }), { nil: null }),
        nextJobExists: fc.boolean(),
      }),
      { selector: (s) => s.id, maxLength: 40 },
    ),
  }),
);

/** Redis after the actions: what BullMQ would hold once each is applied (a fresh next job, due soon). */
function applied(actual: readonly ActualScheduler[], actions: readonly ReconcileAction[]): ActualScheduler[] {
  const byId = new Map(actual.map((s) => [s.id, s]));
  for (const action of actions) {
    if (action.type === "remove") byId.delete(action.schedulerId);
    else {
      const id = schedulerIdFor(action.kitchenId);
      const everyMs = action.type === "repair" ? byId.get(id)!.everyMs : action.everyMs;
      byId.set(id, { id, everyMs, next: NOW + 1_000, nextJobExists: true });
    }
  }
  return [...byId.values()];
}

describe("planReconcile properties", () => {
  it("converges: after its actions Redis matches PostgreSQL and the next plan is empty", () => {
    fc.assert(
      fc.property(fleetArb, ({ desired, actual }) => {
        const after = applied(actual, planReconcile(desired, actual, NOW));
        expect(after.map((s) => [s.id, s.everyMs]).sort()).toEqual(
          desired.map((d) => [schedulerIdFor(d.kitchenId), d.everyMs]).sort(),
        );
        expect(planReconcile(desired, after, NOW)).toEqual([]);
      }),
    );
  });

  it("touches each scheduler at most once and leaves a sound, matching one alone", () => {
    fc.assert(
      fc.property(fleetArb, ({ desired, actual }) => {
        const actions = planReconcile(desired, actual, NOW);
        const targets = actions.map((a) =>
          a.type === "remove" ? a.schedulerId : schedulerIdFor(a.kitchenId),
        );
        expect(new Set(targets).size).toBe(targets.length);
        const everyById = new Map(desired.map((d) => [schedulerIdFor(d.kitchenId), d.everyMs]));
        for (const s of actual) {
          const sound =
            everyById.get(s.id) === s.everyMs &&
            s.nextJobExists &&
            s.next !== null &&
            s.next >= NOW - s.everyMs!;
          if (sound) expect(targets).not.toContain(s.id);
        }
      }),
    );
  });
});

describe("leftToTheirRequest", () => {
  const at = (msAgo: number) => new Date(NOW - msAgo);
  const GRACE = 60_000;

  test("leaves a connection verified moments ago, not yet synced since, to the request that verified it", () => {
    const left = leftToTheirRequest(
      [
        // Saved a second ago, never synced: its request is about to queue a sync.
        { kitchenId: 1, connectionVerifiedAt: at(1_000), lastSyncAt: null },
        // Re-saved a second ago; the last sync was before that.
        { kitchenId: 2, connectionVerifiedAt: at(1_000), lastSyncAt: at(300_000) },
        // Saved a second ago, and its request's sync is queued already.
        { kitchenId: 3, connectionVerifiedAt: at(1_000), lastSyncAt: at(500) },
        // Verified longer ago than the grace: a request that died is made good now.
        { kitchenId: 4, connectionVerifiedAt: at(GRACE), lastSyncAt: null },
        // Never verified: the schedule is off anyway.
        { kitchenId: 5, connectionVerifiedAt: null, lastSyncAt: null },
      ],
      NOW,
      GRACE,
    );
    expect([...left]).toEqual([1, 2]);
  });
});
