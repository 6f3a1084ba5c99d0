import { formatTable } from "./table";

describe("formatTable", () => {
  it("pads each column to its widest cell, right-aligned unless told, with no trailing spaces", () => {
    const text = formatTable(
      [
        ["name", "ms", "verdict"],
        ["occupancy", "12.50", "ok"],
        ["a", "3.00", "MISSED"],
      ],
      ["left", "right", "left"],
    );
    expect(text.split("\n")).toEqual([
      "name          ms  verdict",
      "occupancy  12.50  ok",
      "a           3.00  MISSED",
    ]);
  });
});
