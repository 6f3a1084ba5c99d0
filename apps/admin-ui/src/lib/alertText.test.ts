import { alertSegments } from "./alertText";

const since = { at: "2026-07-01T22:06:00.000Z", clock: "18:06" };
const retry = { at: "2026-07-01T22:46:00.000Z", clock: "18:46" };

describe("alertSegments", () => {
  it("cuts the message at the times it names, in the message's order", () => {
    expect(
      alertSegments("Newbook is down (no successful sync since 18:06). Retrying automatically at 18:46.", [
        retry,
        since,
      ]),
    ).toEqual([
      { text: "Newbook is down (no successful sync since " },
      { time: since },
      { text: "). Retrying automatically at " },
      { time: retry },
      { text: "." },
    ]);
  });

  it("keeps a message whose times it cannot find whole", () => {
    expect(alertSegments("A sync took 70 s", [since])).toEqual([{ text: "A sync took 70 s" }]);
    expect(alertSegments("stale", [])).toEqual([{ text: "stale" }]);
  });

  it("does not match a clock inside a longer number", () => {
    expect(alertSegments("code 118:069 since 18:06", [since])).toEqual([
      { text: "code 118:069 since " },
      { time: since },
    ]);
  });
});
