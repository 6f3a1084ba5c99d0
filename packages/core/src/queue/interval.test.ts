import { effectiveIntervalMinutes } from "./interval";
import { kitchenIdFromSchedulerId, schedulerIdFor } from "./names";

describe("effectiveIntervalMinutes", () => {
  it("keeps the configured interval below the back-off threshold", () => {
    expect(effectiveIntervalMinutes(5, 0, 3)).toBe(5);
    expect(effectiveIntervalMinutes(5, 2, 3)).toBe(5);
  });

  it("doubles per failure from the threshold on", () => {
    expect(effectiveIntervalMinutes(5, 3, 3)).toBe(10);
    expect(effectiveIntervalMinutes(5, 4, 3)).toBe(20);
    expect(effectiveIntervalMinutes(5, 5, 3)).toBe(40);
  });

  it("caps at 60 minutes and never shortens a long interval", () => {
    expect(effectiveIntervalMinutes(5, 6, 3)).toBe(60);
    expect(effectiveIntervalMinutes(15, 1000, 3)).toBe(60);
    expect(effectiveIntervalMinutes(60, 10, 3)).toBe(60);
  });
});

describe("scheduler ids", () => {
  it("round-trips the kitchen id and ignores foreign ids", () => {
    expect(schedulerIdFor(42)).toBe("v1:kitchen:42");
    expect(kitchenIdFromSchedulerId("v1:kitchen:42")).toBe(42);
    expect(kitchenIdFromSchedulerId("v0:kitchen:42")).toBeNull();
    expect(kitchenIdFromSchedulerId("something-else")).toBeNull();
  });
});
