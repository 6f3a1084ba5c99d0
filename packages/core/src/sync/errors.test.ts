import { DrizzleQueryError } from "drizzle-orm";
import { NewbookAuthError, NewbookServerError } from "../newbook/errors";
import { registerSecret } from "../redact";
import { describeSyncError, SyncConfigurationError, SyncValidationError } from "./errors";

describe("describeSyncError", () => {
  it("passes our own manager-facing messages through with a code", () => {
    expect(describeSyncError(new NewbookAuthError("bookings_list", "basic", 401))).toEqual({
      code: "newbook_auth",
      message: "Newbook rejected the username or password",
    });
    expect(describeSyncError(new NewbookServerError("bookings_list", 503))).toEqual({
      code: "newbook_server",
      message: "Newbook had a server problem (HTTP 503) answering bookings_list",
    });
    expect(
      describeSyncError(new SyncConfigurationError("No Newbook connection is configured for this kitchen")),
    ).toEqual({ code: "configuration", message: "No Newbook connection is configured for this kitchen" });
    expect(describeSyncError(new SyncValidationError("bad range")).code).toBe("validation");
  });

  it("never shows the text of an unknown or database error, which may hold internals", () => {
    const leaky = new Error("connect to postgres://app:hunter22@db failed\n    at Socket.<anonymous>");
    expect(describeSyncError(leaky)).toEqual({
      code: "internal",
      message: "The sync failed unexpectedly; see the worker log for details",
    });
    const query = new DrizzleQueryError("insert into bookings ...", ["secret-value"], new Error("deadlock"));
    expect(describeSyncError(query).code).toBe("database");
    expect(describeSyncError(query).message).not.toMatch(/insert|secret/);
    expect(describeSyncError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })).code).toBe("database");
    expect(describeSyncError("a string").code).toBe("internal");
  });

  it("scrubs registered secrets and keeps messages to one short line", () => {
    registerSecret("s3cr3t-api-key");
    const error = new SyncConfigurationError(`key s3cr3t-api-key refused ${"x".repeat(400)}\nsecond line`);
    const { message } = describeSyncError(error);
    expect(message).not.toContain("s3cr3t-api-key");
    expect(message).not.toContain("second line");
    expect(message.length).toBeLessThanOrEqual(300);
  });
});
