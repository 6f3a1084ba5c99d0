/**
 * `npm run bench:sync`: one 7-day frequent sync per property size against the simulator (50 ms per
 * Newbook call) and the PostgreSQL at TEST_POSTGRES_URL, first on an empty database (every row written)
 * and then again with nothing changed. Prints time, Newbook calls, time in the database and rows written.
 * The simulator runs in a process of its own, as Newbook would: its work is not ours to measure.
 */
import { randomUUID } from "node:crypto";
import {
  createLogger,
  generateEncryptionKey,
  loadConfig,
  runFrequentSync,
  type SyncContext,
  type SyncRunResult,
} from "@occ/core";
import { createTestDatabase, seedKitchenWithConnection, stopProcess } from "@occ/testkit";

import { runBench } from "./bench-support/run-bench";
import { startSimulatorProcess } from "./bench-support/simulator-process";
import { formatTable } from "./bench-support/table";

const ROOMS = [50, 300, 1000];
const LATENCY_MS = 50;
const DAYS_AHEAD = 7;
const OVERHEAD_MS = 200;
const TIMEZONE = "Europe/London";

interface Measured {
  rooms: number;
  run: "first" | "unchanged";
  result: SyncRunResult;
  /** Wall time inside Newbook requests (latency, the simulator's work, transfer, parsing). */
  newbookMs: number;
}

function table(rows: Measured[]): string {
  const header = [
    "rooms",
    "run",
    "total ms",
    "Newbook calls",
    "paging ms",
    "db ms",
    "rows written",
    "bookings",
    "aim ms",
    "within",
  ];
  const lines = rows.map(({ rooms, run, result, newbookMs }) => {
    const aim = 2 * result.newbookCalls * LATENCY_MS + OVERHEAD_MS;
    return [
      rooms,
      run,
      result.durationMs,
      result.newbookCalls,
      Math.round(newbookMs),
      result.dbMs,
      result.rowsChanged,
      result.bookingsFetched,
      aim,
      result.durationMs <= aim ? "yes" : "NO",
    ].map(String);
  });
  return formatTable([header, ...lines]);
}

runBench("bench:sync", async (defer) => {
  const { info, child } = await startSimulatorProcess({
    seed: 42,
    rooms: ROOMS,
    latencyMs: LATENCY_MS,
    timezone: TIMEZONE,
  });
  defer(() => stopProcess(child));
  const database = await createTestDatabase("occ_bench");
  defer(() => database.drop());
  const encryptionKey = generateEncryptionKey();
  // Requests of one run: sites_list overlaps the first page, so the longest chain is what is waited for.
  let requests: { action: string; durationMs: number }[] = [];
  const ctx: SyncContext = {
    onNewbookRequest: (event) => requests.push(event),
    db: database.handle.db,
    config: loadConfig({ ...process.env, ENCRYPTION_KEY: encryptionKey }),
    logger: createLogger({ service: "bench-sync", level: "warn" }),
  };
  const measured: Measured[] = [];
  for (const [index, rooms] of ROOMS.entries()) {
    const property = info.properties[index]!;
    const { kitchenId } = await seedKitchenWithConnection(ctx.db, {
      name: `Bench ${rooms} rooms`,
      timezone: property.timezone,
      property: { ...property, apiKey: property.api_key },
      baseUrl: info.base_url,
      encryptionKey,
      settings: { daysAhead: DAYS_AHEAD },
    });
    for (const run of ["first", "unchanged"] as const) {
      requests = [];
      const result = await runFrequentSync(ctx, { kitchenId, runId: randomUUID(), trigger: "bench" });
      const paging = requests.filter((r) => r.action === "bookings_list");
      measured.push({ rooms, run, result, newbookMs: paging.reduce((ms, r) => ms + r.durationMs, 0) });
    }
  }
  process.stdout.write(
    `${DAYS_AHEAD}-day frequent sync, ${LATENCY_MS} ms per Newbook call, PostgreSQL\n` +
      `aim = 2 x calls x ${LATENCY_MS} ms + ${OVERHEAD_MS} ms ("first" includes the daily sites_list call)\n\n` +
      `${table(measured)}\n`,
  );
});
