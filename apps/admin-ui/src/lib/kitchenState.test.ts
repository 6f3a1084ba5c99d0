import { KITCHEN_STATE_LABELS, kitchenStateTone } from "./kitchenState";

describe("kitchen state badges", () => {
  it("colours the states that need attention", () => {
    expect(kitchenStateTone("failing")).toBe("red");
    expect(kitchenStateTone("stale")).toBe("amber");
    expect(kitchenStateTone("ok")).toBe("green");
    expect(kitchenStateTone("not_connected")).toBe("grey");
  });
  it("labels every state in words", () => {
    expect(Object.values(KITCHEN_STATE_LABELS).every((label) => /^[A-Z][a-z ]+$|^OK$/.test(label))).toBe(
      true,
    );
  });
});
