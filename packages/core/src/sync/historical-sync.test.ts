import { SyncValidationError } from "./errors";
import { historicalChunks, validateHistoricalRange } from "./historical-sync";

describe("historical range", () => {
  it("splits a range into calendar months, clipped at both ends", () => {
    expect(historicalChunks("2024-01-15", "2024-03-03")).toEqual([
      { from: "2024-01-15", to: "2024-01-31" },
      { from: "2024-02-01", to: "2024-02-29" },
      { from: "2024-03-01", to: "2024-03-03" },
    ]);
    expect(historicalChunks("2025-12-31", "2025-12-31")).toEqual([{ from: "2025-12-31", to: "2025-12-31" }]);
    expect(historicalChunks("2023-12-20", "2024-01-02")).toEqual([
      { from: "2023-12-20", to: "2023-12-31" },
      { from: "2024-01-01", to: "2024-01-02" },
    ]);
  });

  it("accepts up to 731 days and rejects longer, reversed or malformed ranges", () => {
    expect(() => validateHistoricalRange("2023-01-01", "2024-12-31")).not.toThrow(); // 731 days
    expect(() => validateHistoricalRange("2023-01-01", "2025-01-01")).toThrow(SyncValidationError);
    expect(() => validateHistoricalRange("2024-02-02", "2024-02-01")).toThrow(/start date/);
    expect(() => validateHistoricalRange("2024-02-30", "2024-03-01")).toThrow(/calendar dates/);
  });
});
