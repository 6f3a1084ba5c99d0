import { statsPoints } from "./syncStatsSeries";

describe("statsPoints", () => {
  it("turns buckets into seconds and success percentages", () => {
    expect(
      statsPoints([
        { bucket_start: "2025-11-24T10:00:00Z", runs: 4, failures: 1, avg_duration_ms: 1234 },
        { bucket_start: "2025-11-24T11:00:00Z", runs: 3, failures: 0, avg_duration_ms: 800 },
      ]),
    ).toEqual([
      { bucket_start: "2025-11-24T10:00:00Z", runs: 4, avg_duration_s: 1.2, success_rate: 75 },
      { bucket_start: "2025-11-24T11:00:00Z", runs: 3, avg_duration_s: 0.8, success_rate: 100 },
    ]);
  });

  it("leaves gaps for empty buckets instead of plotting 0 %", () => {
    expect(statsPoints([{ bucket_start: "x", runs: 0, failures: 0, avg_duration_ms: null }])).toEqual([
      { bucket_start: "x", runs: 0, avg_duration_s: null, success_rate: null },
    ]);
  });
});
