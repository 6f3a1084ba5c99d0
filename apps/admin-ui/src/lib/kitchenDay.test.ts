import { asOfLabel, dietaryChips, hourLabel, localClock, partyLabel } from "./kitchenDay";

describe("kitchen day labels", () => {
  it("labels hours, parties and local clock times", () => {
    expect([hourLabel("07"), hourLabel(null)]).toEqual(["07:00", "No ETA"]);
    expect(partyLabel({ adults: 2, children: 0, infants: 1 })).toBe("2A 1I");
    expect(localClock("2025-06-15 15:42:10")).toBe("15:42");
  });

  it("shows 'as of' in the kitchen's zone, not the browser's", () => {
    expect(asOfLabel("2025-06-15T13:05:00Z", "Pacific/Auckland")).toBe("as of 01:05");
    expect(asOfLabel("2025-06-15T13:05:00Z", "Europe/London")).toBe("as of 14:05");
    expect(asOfLabel(null, "Europe/London")).toBe("not synced yet");
  });
});

describe("dietaryChips", () => {
  it("gives one chip per requirement, counting guests who share it", () => {
    expect(
      dietaryChips([
        { requirement: "Vegan", guest: "Ava Smith" },
        { requirement: "Nut allergy", guest: null },
        { requirement: "Vegan", guest: "Leo Smith" },
      ]),
    ).toEqual([
      { requirement: "Vegan", label: "Vegan ×2", title: "Vegan: Ava Smith, Leo Smith" },
      { requirement: "Nut allergy", label: "Nut allergy", title: "Nut allergy" },
    ]);
  });
});
