import { QUEUES_SESSION_SECONDS, QueuesSession } from "./queues-board";

describe("QueuesSession", () => {
  it("accepts its own cookie until it expires and rejects tampering or another secret", () => {
    let now = new Date("2025-01-01T00:00:00Z");
    const session = new QueuesSession("s".repeat(32), () => now);
    const value = session.issue(42, 3);
    expect(session.verify(value)).toEqual({ userId: 42, tokenVersion: 3 });
    expect(session.verify(value.replace(/^42\.3\./, "42.4."))).toBeNull();
    expect(session.verify(value.replace(/^42\./, "43."))).toBeNull();
    expect(new QueuesSession("t".repeat(32), () => now).verify(value)).toBeNull();
    now = new Date(now.getTime() + (QUEUES_SESSION_SECONDS + 1) * 1000);
    expect(session.verify(value)).toBeNull();
  });
});
