import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  duplicateClient,
  KitchenEventHub,
  type KitchenEventPublisher,
  kitchenEventPublisher,
} from "@occ/core";
import { bookingChanges, dailyOccupancy, newbookFrequentSyncSettings, syncRuns } from "@occ/db";
import type { Express } from "express";
import request from "supertest";
import {
  addAdmin,
  addKitchenWithManager,
  type Harness,
  startHarness,
  type TestKitchen,
} from "../testing/harness";

const NOW = new Date("2025-06-02T09:00:00Z");

/** A reader of one SSE response: frames as {event, data}, waited for by predicate with a deadline. */
async function openStream(url: string, token: string) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const frames: { event: string; data: unknown }[] = [];
  let buffer = "";
  const reader = response.body!.getReader();
  const pump = (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) frames.push({ event, data: JSON.parse(data) });
        end = buffer.indexOf("\n\n");
      }
    }
  })();
  const next = async (
    what: string,
    match: (f: { event: string; data: unknown }) => boolean,
    timeoutMs = 5_000,
  ) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = frames.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(frames)}`);
  };
  return {
    response,
    frames,
    next,
    async close() {
      controller.abort();
      await pump;
    },
  };
}

async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("live updates and change feed", () => {
  let h: Harness;
  let a: TestKitchen;
  let b: TestKitchen;
  let publisher: KitchenEventPublisher;
  let replicas: { server: Server; url: string; hub?: KitchenEventHub }[];

  beforeAll(async () => {
    h = await startHarness({ now: () => NOW });
    a = await addKitchenWithManager(h, "A", "Europe/London");
    b = await addKitchenWithManager(h, "B", "Europe/London");
    publisher = kitchenEventPublisher(h.redis, h.prefix, h.deps.logger);
    // Two API replicas sharing nothing but Redis, as behind a load balancer.
    const second = new KitchenEventHub({
      connect: () => duplicateClient(h.redis),
      prefix: h.prefix,
      logger: h.deps.logger,
    });
    replicas = [await listen(h.app), { ...(await listen(h.makeApp({ events: second }))), hub: second }];
  });

  afterAll(async () => {
    for (const replica of replicas) {
      await replica.hub?.close();
      replica.server.closeAllConnections();
      await new Promise((r) => replica.server.close(r));
    }
    await h.close();
  });

  const event = (kitchenId: number, runId = randomUUID()) => ({
    kitchenId,
    runId,
    kind: "frequent" as const,
    type: "synced" as const,
    rowsChanged: 3,
    bookingChanges: 1,
    committedAt: "2025-06-02T08:59:59.123Z",
  });

  it("refuses a stream without a valid token", async () => {
    const res = await fetch(`${replicas[0]!.url}/api/events`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  it("pushes a kitchen's sync events to its pages on every replica, and only its own", async () => {
    const streams = await Promise.all(replicas.map((r) => openStream(`${r.url}/api/events`, a.token)));
    const otherKitchen = await openStream(`${replicas[0]!.url}/api/events`, b.token);
    try {
      for (const s of [...streams, otherKitchen]) {
        expect(s.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
        await s.next("ready", (f) => f.event === "ready");
      }
      const runOfB = randomUUID();
      await publisher.publish(event(b.id, runOfB));
      const runOfA = randomUUID();
      await publisher.publish(event(a.id, runOfA));
      for (const s of streams) {
        const frame = await s.next("A's event", (f) => f.event === "sync");
        expect(frame.data).toMatchObject({
          type: "synced",
          run_id: runOfA,
          rows_changed: 3,
          booking_changes: 1,
          committed_at: "2025-06-02T08:59:59.123Z",
        });
      }
      await otherKitchen.next("B's event", (f) => f.event === "sync");
      // Events are delivered in order per connection: A's arrived after B's, so B's would be here by now.
      expect(streams.flatMap((s) => s.frames).some((f) => JSON.stringify(f.data).includes(runOfB))).toBe(
        false,
      );
      expect(otherKitchen.frames.some((f) => JSON.stringify(f.data).includes(runOfA))).toBe(false);
    } finally {
      await Promise.all([...streams, otherKitchen].map((s) => s.close()));
    }
  });

  it("refuses a manager another kitchen's stream; an admin picks one", async () => {
    const admin = await addAdmin(h);
    const refused = await fetch(`${replicas[0]!.url}/api/events?kitchen_id=${b.id}`, {
      headers: { Authorization: `Bearer ${a.token}` },
    });
    expect(refused.status).toBe(403);
    const asAdmin = await openStream(`${replicas[1]!.url}/api/events?kitchen_id=${b.id}`, admin.token);
    try {
      await asAdmin.next("ready", (f) => f.event === "ready");
      const run = randomUUID();
      await publisher.publish(event(b.id, run));
      const frame = await asAdmin.next("B's event", (f) => f.event === "sync");
      expect(frame.data).toMatchObject({ run_id: run });
    } finally {
      await asAdmin.close();
    }
  });

  it("ends open streams when the replica shuts down, and releases their listeners", async () => {
    const hub = replicas[1]!.hub!;
    const s = await openStream(`${replicas[1]!.url}/api/events`, a.token);
    await s.next("ready", (f) => f.event === "ready");
    expect(hub.listenerCount).toBe(1);
    await hub.close();
    await s.close();
    expect(hub.listenerCount).toBe(0);
  });

  it("serves the change feed newest first in kitchen terms, and marks residents for 24 h", async () => {
    const db = h.db.handle.db;
    const run = async (finishedAt: Date) => {
      const id = randomUUID();
      await db.insert(syncRuns).values({
        id,
        kitchenId: a.id,
        kind: "frequent",
        trigger: "schedule",
        status: "success",
        windowFrom: "2025-06-02",
        windowTo: "2025-06-09",
        queuedAt: finishedAt,
        finishedAt,
      });
      return id;
    };
    const snapshot = (room: string) => ({
      arrival: "2025-06-02",
      departure: "2025-06-04",
      room,
      adults: 2,
      children: 0,
      infants: 0,
      mealPlan: "breakfast" as const,
    });
    const older = await run(new Date("2025-06-01T20:00:00Z"));
    const newer = await run(new Date("2025-06-02T08:55:00Z"));
    const arrival = { date: "2025-06-02", arrivals: 1, guests: 2, breakfastCovers: 0, dinnerCovers: 0 };
    await db.insert(bookingChanges).values([
      {
        kitchenId: a.id,
        runId: older,
        syncedAt: new Date("2025-06-01T20:00:00Z"),
        bookingId: "B1",
        kind: "added",
        room: "104",
        guestName: "Ada",
        after: snapshot("104"),
        deltas: [arrival],
      },
      {
        kitchenId: a.id,
        runId: newer,
        syncedAt: new Date("2025-06-02T08:55:00Z"),
        bookingId: "B2",
        kind: "cancelled",
        room: "212",
        guestName: "Grace",
        before: snapshot("212"),
        deltas: [{ ...arrival, arrivals: -1, guests: -2 }],
      },
      {
        // Older than 24 h: in the feed, but no longer marked.
        kitchenId: a.id,
        runId: older,
        syncedAt: new Date("2025-05-31T08:00:00Z"),
        bookingId: "B3",
        kind: "changed",
        room: "301",
        guestName: "Alan",
        fields: ["guests"],
        before: snapshot("301"),
        after: { ...snapshot("301"), adults: 3 },
        deltas: [{ ...arrival, arrivals: 0, guests: 1 }],
      },
    ]);
    await db.insert(dailyOccupancy).values({
      kitchenId: a.id,
      date: "2025-06-02",
      roomBreakdown: [
        {
          room: "104",
          siteId: "s104",
          bookingId: "B1",
          groupId: null,
          guestName: "Ada",
          adults: 2,
          children: 0,
          infants: 0,
          arrival: "2025-06-02",
          departure: "2025-06-04",
          hasBreakfast: false,
          isDbb: false,
        },
      ],
    });

    const feed = await request(h.app)
      .get("/api/changes")
      .set({ Authorization: `Bearer ${a.token}` });
    expect(feed.status).toBe(200);
    expect(feed.body.entries.map((e: { run_id: string }) => e.run_id)).toEqual([newer, older]);
    expect(feed.body.entries[0]).toMatchObject({
      synced_at: "2025-06-02T08:55:00.000Z",
      summary: ["−1 arrival tonight, room 212"],
    });
    expect(feed.body.entries[0].changes[0]).toMatchObject({
      kind: "cancelled",
      room: "212",
      guest_name: "Grace",
    });
    const otherKitchen = await request(h.app)
      .get("/api/changes")
      .set({ Authorization: `Bearer ${b.token}` });
    expect(otherKitchen.body.entries).toEqual([]);
    const bad = await request(h.app)
      .get("/api/changes?limit=0")
      .set({ Authorization: `Bearer ${a.token}` });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toContain("limit");

    const residents = await request(h.app)
      .get("/api/residents?start=2025-06-02")
      .set({ Authorization: `Bearer ${a.token}` });
    expect(residents.status).toBe(200);
    const rooms = residents.body.rooms as {
      room: string;
      stays: { booking_id: string; change: string | null }[];
    }[];
    expect(rooms.map((r) => r.room)).toEqual(["104", "212"]);
    expect(rooms[0]!.stays[0]).toMatchObject({ booking_id: "B1", change: "new" });
    expect(rooms[1]!.stays[0]).toMatchObject({ booking_id: "B2", change: "cancelled", guest_name: "Grace" });
  });

  it("says how fresh the figures are and which days the last sync covered", async () => {
    const db = h.db.handle.db;
    await request(h.app)
      .get("/api/settings/newbook-frequent-sync")
      .set({ Authorization: `Bearer ${b.token}` });
    const never = await request(h.app)
      .get("/api/occupancy")
      .set({ Authorization: `Bearer ${b.token}` });
    expect(never.body.freshness).toMatchObject({
      state: "not_connected",
      as_of: null,
      synced_to: null,
      days_ahead: 7,
    });

    const success = new Date("2025-06-02T08:55:00Z");
    await db
      .insert(newbookFrequentSyncSettings)
      .values({ kitchenId: a.id, lastSuccessAt: success, lastSyncStatus: "success", daysAhead: 14 })
      .onConflictDoUpdate({
        target: newbookFrequentSyncSettings.kitchenId,
        set: { lastSuccessAt: success, lastSyncStatus: "success", daysAhead: 14 },
      });
    const res = await request(h.app)
      .get("/api/residents")
      .set({ Authorization: `Bearer ${a.token}` });
    expect(res.body.freshness).toMatchObject({
      as_of: success.toISOString(),
      synced_from: "2025-06-02",
      synced_to: "2025-06-09",
      days_ahead: 14,
    });
  });
});
