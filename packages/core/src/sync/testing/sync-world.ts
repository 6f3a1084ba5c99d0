import type { RunningSimulator, SimProperty, SimulatorOptions } from "@occ/newbook-sim";
import { startSimulator } from "@occ/newbook-sim";
import {
  createTestDatabase,
  type SeedKitchenInput,
  SimControl,
  seedKitchenWithConnection,
  type TestDatabase,
} from "@occ/testkit";
import { type Config, loadConfig } from "../../config";
import { generateEncryptionKey } from "../../crypto";
import { createLogger } from "../../logger";
import {
  NewbookClient,
  type NewbookClientOptions,
  newbookClientOptionsFromConfig,
} from "../../newbook/client";
import type { SyncContext } from "../context";

/** What a listing returned, with what it asked (a whole read lists "staying", the change feed "all"). */
export type Listing = Awaited<ReturnType<NewbookClient["listBookingsUnlessUnchanged"]>> & {
  query: Parameters<NewbookClient["listBookingsUnlessUnchanged"]>[0];
};

export interface SyncWorldOptions {
  /** The simulator: one property, the kitchen's hotel (`properties` is always 1). */
  simulator: Omit<SimulatorOptions, "properties">;
  /** The kitchen's frequent-sync settings as seeded. */
  settings?: SeedKitchenInput["settings"];
  /** Client options over the config's (e.g. a small pageSize, so a window spans pages). */
  client?: Partial<NewbookClientOptions>;
  /** Where the kitchen's connection points: the simulator unless a test puts something in front of it. */
  baseUrl?: (sim: RunningSimulator) => string | Promise<string>;
  /** Environment over the world's own (e.g. SYNC_FULL_READ_MINUTES "0": every run reads the window whole). */
  env?: Record<string, string>;
}

/**
 * One kitchen connected to the simulator's property, in a database of its own, and the sync context the
 * engine runs with: what the sync engine's integration tests share. Test-only (excluded from the build).
 */
export interface SyncWorld {
  sim: RunningSimulator;
  /** The simulator's control API: bookings to add or edit, faults to inject. */
  control: SimControl;
  property: SimProperty;
  db: TestDatabase;
  config: Config;
  ctx: SyncContext;
  kitchenId: number;
  /** Every bookings listing the engine's clients read, oldest first; a test may empty it. */
  listings: Listing[];
  close(): Promise<void>;
}

export async function startSyncWorld(options: SyncWorldOptions): Promise<SyncWorld> {
  const sim = await startSimulator({ ...options.simulator, properties: 1 });
  let db: TestDatabase | undefined;
  try {
    db = await createTestDatabase();
    return await connectKitchen(sim, db, options);
  } catch (error) {
    // Nothing of a half-started world outlives it (an open simulator would keep Jest running).
    await sim.close();
    await db?.drop();
    throw error;
  }
}

async function connectKitchen(
  sim: RunningSimulator,
  db: TestDatabase,
  options: SyncWorldOptions,
): Promise<SyncWorld> {
  const property = sim.properties[0]!;
  const encryptionKey = generateEncryptionKey();
  // No retries: a fault a test injects fails the run at once instead of being retried away.
  const config = loadConfig({ ENCRYPTION_KEY: encryptionKey, NEWBOOK_MAX_RETRIES: "0", ...options.env });
  const listings: Listing[] = [];
  const ctx: SyncContext = {
    db: db.handle.db,
    config,
    logger: createLogger({ service: "sync-test", level: "error" }),
    clientFor: (connection) => {
      const client = new NewbookClient({
        ...newbookClientOptionsFromConfig(config, connection),
        ...options.client,
      });
      // Records what each read returned, passing the engine's arguments through unchanged.
      const read = client.listBookingsUnlessUnchanged.bind(client);
      client.listBookingsUnlessUnchanged = (async (query, previous, known) => {
        const listing = await read(query, previous, known);
        listings.push({ ...listing, query });
        return listing;
      }) as typeof client.listBookingsUnlessUnchanged;
      return client;
    },
  };
  const { kitchenId } = await seedKitchenWithConnection(db.handle.db, {
    timezone: property.timezone,
    property,
    baseUrl: options.baseUrl ? await options.baseUrl(sim) : sim.baseUrl,
    encryptionKey,
    settings: options.settings,
  });
  return {
    sim,
    control: new SimControl(sim.controlUrl),
    property,
    db,
    config,
    ctx,
    kitchenId,
    listings,
    async close() {
      await sim.close();
      await db.drop();
    },
  };
}
