import { clockTimeIn } from "../time";
import { failureAlertText, readerErrorFor } from "./texts";

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
});
