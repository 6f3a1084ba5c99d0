import { changedFigures, describeChange } from "./occupancyDiff";

const fields = ["guests", "arrivals", "breakfast_covers"] as const;
const current = { guests: 14, arrivals: 3, breakfast_covers: 10 };

describe("changedFigures", () => {
  it("reports only the fields whose value moved", () => {
    expect(changedFigures(current, { guests: 12, arrivals: 3, breakfast_covers: 11 }, fields)).toEqual({
      guests: { from: 12, to: 14 },
      breakfast_covers: { from: 11, to: 10 },
    });
  });

  it("highlights nothing without a previous snapshot", () => {
    expect(changedFigures(current, null, fields)).toEqual({});
  });

  it("treats a field absent from the snapshot as unknown, not as changed", () => {
    expect(changedFigures(current, { guests: 14 }, fields)).toEqual({});
    expect(changedFigures(current, { guests: 14, arrivals: null }, fields)).toEqual({});
  });
});

describe("describeChange", () => {
  it("shows old -> new with a signed delta", () => {
    expect(describeChange({ from: 12, to: 14 })).toBe("12 -> 14 (+2)");
    expect(describeChange({ from: 11, to: 10 })).toBe("11 -> 10 (-1)");
  });
});
