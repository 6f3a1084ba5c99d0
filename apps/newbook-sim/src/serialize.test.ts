import { formatStatus, parseStatus, Scalars } from "./serialize";

describe("serialize", () => {
  it("formats statuses in every casing style", () => {
    expect(formatStatus("no_show", "title")).toBe("No-Show");
    expect(formatStatus("no_show", "upper")).toBe("NO-SHOW");
    expect(formatStatus("no_show", "lower")).toBe("no-show");
    expect(formatStatus("no_show", "snake")).toBe("no_show");
    expect(formatStatus("owner_occupied", "upper_snake")).toBe("OWNER_OCCUPIED");
    expect(formatStatus("confirmed", "upper")).toBe("CONFIRMED");
  });

  it("parses statuses case- and separator-insensitively", () => {
    expect(parseStatus("No-Show")).toBe("no_show");
    expect(parseStatus("NO_SHOW")).toBe("no_show");
    expect(parseStatus("owner occupied")).toBe("owner_occupied");
    expect(parseStatus("bogus")).toBeNull();
  });

  it("emits strings by default and numbers under the switch", () => {
    const str = new Scalars(false);
    const num = new Scalars(true);
    expect([str.int(3), str.money(12.5), str.flag(true), str.optionalInt(null)]).toEqual([
      "3",
      "12.50",
      "1",
      null,
    ]);
    expect([num.int(3), num.money(12.5), num.flag(false)]).toEqual([3, 12.5, 0]);
  });
});
