/**
 * `npm run bench:sync`: one 7-day frequent sync per property size against the simulator (50 ms per
 * Newbook call) and the PostgreSQL at TEST_POSTGRES_URL, first on an empty database (every row written)
 * and then again with nothing changed. Prints time, Newbook calls, time in the database and rows written.
 * The simulator runs in a process of its own, as Newbook would: its work is not ours to measure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import {
  createLogger,
  generateEncryptionKey,
  loadConfig,
  runFrequentSync,
  type SyncContext,
  type SyncRunResult,
  seedKitchenWithConnection,
} from "@occ/core";
import { createTestDatabase } from "@occ/db";
import { z } from "zod";

const ROOMS = [50, 300, 1000];
const LATENCY_MS = 50;
const DAYS_AHEAD = 7;
const OVERHEAD_MS = 200;
const TIMEZONE = "Europe/London";

const simulatorInfo = z.object({
  base_url: z.string(),
  properties: z.array(
    z.object({
      timezone: z.string(),
      username: z.string(),
      password: z.string(),
      api_key: z.string(),
      region: z.string(),
    }),
  ),
});
type SimulatorInfo = z.infer<typeof simulatorInfo>;

async function startSimulatorProcess(): Promise<{ info: SimulatorInfo; child: ChildProcess }> {
  const cli = path.resolve(__dirname, "../../apps/newbook-sim/dist/cli.js");
  const child = spawn(
    process.execPath,
    [
      cli,
      "--seed=42",
      `--properties=${ROOMS.length}`,
      `--rooms=${ROOMS.join(",")}`,
      `--latency-ms=${LATENCY_MS}`,
      "--throttle=100000",
      `--timezones=${ROOMS.map(() => TIMEZONE).join(",")}`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(() => {
      throw new Error("the simulator exited before it started");
    }),
  ])) as [string];
  lines.close();
  return { info: simulatorInfo.parse(JSON.parse(first)), child };
}

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
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((cells) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const { info, child } = await startSimulatorProcess();
  const database = await createTestDatabase("occ_bench");
  try {
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
  } finally {
    child.kill("SIGTERM");
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:sync failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
