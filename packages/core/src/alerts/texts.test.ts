import { clockTimeIn } from "../time";
import { failureAlertText, readerErrorFor, staleAlertText } from "./texts";

describe("texts for the reader", () => {
  it("says who acts for every error code, and never shows an internal one", () => {
    expect(readerErrorFor("newbook_auth").actor).toBe("you");
    expect(readerErrorFor("newbook_timeout")).toEqual({
      text: "Newbook is not answering at the moment",
      actor: "newbook",
    });
    expect(readerErrorFor("internal").actor).toBe("us");
    expect(readerErrorFor("something new").text).toBe("A problem on our side stopped the sync");
  });

  it("puts times on the kitchen's clock", () => {
    const text = failureAlertText({
      code: "newbook_timeout",
      consecutiveFailures: 5,
      timeZone: "America/New_York",
      lastSuccessAt: new Date("2026-07-01T22:06:00Z"),
      nextSyncAt: new Date("2026-07-01T22:46:00Z"),
    });
    expect(text).toBe(
      "Newbook is not answering at the moment (5 failed syncs in a row, no successful sync since 18:06). " +
        "This is on Newbook's side; nothing for you to do. Retrying automatically at 18:46.",
    );
    expect(clockTimeIn("Asia/Kolkata", new Date("2026-07-01T22:06:00Z"))).toBe("03:36");
  });

  it("tells the reader to act when only they can", () => {
    expect(
      failureAlertText({
        code: "newbook_auth",
        consecutiveFailures: 1,
        timeZone: "UTC",
        lastSuccessAt: null,
        nextSyncAt: null,
      }),
    ).toBe(
      "Newbook rejected the login — update the password or API key in Settings (1 failed sync, no successful " +
        "sync yet). You need to act. Automatic sync is paused until then.",
    );
  });

  it("says since when a kitchen is stale on its own clock, never as a UTC timestamp", () => {
    const text = staleAlertText({
      syncIntervalMinutes: 15,
      timeZone: "America/New_York",
      lastSuccessAt: new Date("2026-07-01T22:06:00Z"),
    });
    expect(text).toBe(
      "No successful sync since 18:06, although the kitchen syncs every 15 minutes. " +
        "The figures may be out of date; the status in Settings says why.",
    );
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(staleAlertText({ syncIntervalMinutes: 30, timeZone: "UTC", lastSuccessAt: null })).toMatch(
      /^No successful sync yet, although the kitchen syncs every 30 minutes\./,
    );
  });
});
