import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { alerts, kitchens } from "@occ/db";
import { createTestDatabase, type TestDatabase } from "@occ/testkit";
import { and, eq, inArray } from "drizzle-orm";
import { createLogger } from "../logger";
import { Alerting } from "./alerting";
import { createAlertNotifier } from "./notifier";

describe("Alerting on PostgreSQL", () => {
  let testDb: TestDatabase;
  let server: Server;
  let webhookUrl: string;
  const received: Array<{ text: string; event: string }> = [];
  let webhookStatus = 200;
  const logLines: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        received.push(JSON.parse(body) as { text: string; event: string });
        res.writeHead(webhookStatus).end();
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    server.close();
    await testDb.drop();
  });

  function alerting(url = webhookUrl) {
    const stream = new PassThrough();
    stream.on("data", (chunk: Buffer) => logLines.push(chunk.toString()));
    const logger = createLogger({ service: "test", format: "json", stream });
    return new Alerting(testDb.handle.db, createAlertNotifier({ logger, webhookUrl: url }));
  }

  async function newKitchen(): Promise<number> {
    const [row] = await testDb.handle.db
      .insert(kitchens)
      .values({ name: "K", timezone: "Europe/London" })
      .returning({ id: kitchens.id });
    return row!.id;
  }

  it("opens one incident, notifies once at crit, and resolves it", async () => {
    const kitchenId = await newKitchen();
    const a = alerting();
    const context = { messages: { consecutive_failures: "5 syncs in a row failed" } };
    await a.open(kitchenId, "consecutive_failures", context);
    await a.open(kitchenId, "consecutive_failures", { messages: { consecutive_failures: "6 in a row" } });
    const open = await testDb.handle.db.select().from(alerts).where(eq(alerts.kitchenId, kitchenId));
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ state: "open", severity: "critical", message: "6 in a row" });
    expect(received.filter((r) => r.event === "opened")).toHaveLength(1);
    expect(received[0]!.text).toContain("CRITICAL");
    expect(logLines.some((l) => JSON.parse(l).level === "crit")).toBe(true);

    await a.resolve([kitchenId], "consecutive_failures");
    await a.resolve([kitchenId], "consecutive_failures");
    expect(received.filter((r) => r.event === "resolved")).toHaveLength(1);
    const [row] = await testDb.handle.db.select().from(alerts).where(eq(alerts.kitchenId, kitchenId));
    expect(row).toMatchObject({ state: "resolved" });
    expect(row!.resolvedAt).toBeInstanceOf(Date);

    // A later incident is a new row; the resolved one stays as history.
    await a.open(kitchenId, "consecutive_failures", context);
    expect(await testDb.handle.db.select().from(alerts).where(eq(alerts.kitchenId, kitchenId))).toHaveLength(
      2,
    );
  });

  it("logs a failing webhook and still stores the alert", async () => {
    const kitchenId = await newKitchen();
    webhookStatus = 500;
    await alerting().open(kitchenId, "slow_sync", { messages: {} });
    webhookStatus = 200;
    await alerting("http://127.0.0.1:1/unreachable").open(kitchenId, "stale", { messages: {} });
    const rows = await testDb.handle.db.select().from(alerts).where(eq(alerts.kitchenId, kitchenId));
    expect(rows.map((r) => r.kind).sort()).toEqual(["slow_sync", "stale"]);
    expect(logLines.filter((l) => l.includes("alert webhook failed"))).toHaveLength(2);
  });

  it("opens many alerts set-wise with one summary message, skipping those already open", async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => newKitchen()));
    const a = alerting();
    await a.open(ids[0]!, "stale", { messages: { stale: "already stale" } });
    const before = received.length;
    const opened = await a.openMany(
      "stale",
      ids.map((kitchenId) => ({ kitchenId, message: "No successful sync" })),
    );
    expect(opened).toBe(29);
    expect(received.slice(before)).toEqual([
      expect.objectContaining({
        event: "opened",
        text: expect.stringContaining("stale for 29 kitchens"),
      }),
    ]);
    const rows = await testDb.handle.db
      .select()
      .from(alerts)
      .where(and(inArray(alerts.kitchenId, ids), eq(alerts.state, "open")));
    expect(rows).toHaveLength(30);
    expect(rows.find((r) => r.kitchenId === ids[0])!.message).toBe("already stale");
    expect(await a.openMany("stale", [])).toBe(0);
    const resolvedBefore = received.length;
    expect(await a.resolve(ids, "stale")).toBe(30);
    expect(received.slice(resolvedBefore)).toHaveLength(1);
  });
});
