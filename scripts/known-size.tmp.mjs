import { randomUUID } from "node:crypto";
import { createLogger, generateEncryptionKey, loadConfig, NewbookAgentPool, runFrequentSync, knownBookings, frequentWindow } from "@occ/core";
import { createTestDatabase, seedKitchenWithConnection, stopProcess } from "@occ/testkit";
import { startSimulatorProcess } from "/work/main/scripts/dist/bench-support/simulator-process.js";
import { Session } from "node:inspector/promises";
import fs from "node:fs";
const { info, child } = await startSimulatorProcess({ seed: 42, rooms: [300], latencyMs: 0, timezone: "Europe/London" });
const database = await createTestDatabase("occ_tmp");
try {
  const encryptionKey = generateEncryptionKey();
  const config = loadConfig({ ...process.env, ENCRYPTION_KEY: encryptionKey });
  const ctx = { db: database.handle.db, config, logger: createLogger({ service: "x", level: "warn" }), agentPool: new NewbookAgentPool() };
  const property = info.properties[0];
  const { kitchenId } = await seedKitchenWithConnection(ctx.db, { name: "k", timezone: property.timezone, property: { ...property, apiKey: property.api_key }, baseUrl: info.base_url, encryptionKey, settings: { daysAhead: 7 } });
  await runFrequentSync(ctx, { kitchenId, runId: randomUUID(), trigger: "x" });
  await runFrequentSync(ctx, { kitchenId, runId: randomUUID(), trigger: "x" });
  const w = frequentWindow(property.timezone, 7, new Date());
  const span = { from: w.fetchFrom, to: w.to };
  for (let i = 0; i < 30; i++) await knownBookings(ctx.db, kitchenId, span);
  const s = new Session(); s.connect(); await s.post("Profiler.enable"); await s.post("Profiler.start");
  const c = process.cpuUsage(); for (let i = 0; i < 50; i++) await knownBookings(ctx.db, kitchenId, span); const u = process.cpuUsage(c); console.log("knownBookings cpu ms", (u.user + u.system) / 50000);
  const { profile } = await s.post("Profiler.stop"); fs.writeFileSync("/tmp/prof/known.cpuprofile", JSON.stringify(profile));
  ctx.agentPool.destroy();
} finally { await database.drop(); await stopProcess(child); }
