import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { Pool } from "pg";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The one database type the app codes against: node-postgres and PGlite both satisfy it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle, usable wherever a Db is expected for queries. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface DbHandle {
  db: Db;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
  ping(): Promise<void>;
  pool?: Pool;
  pglite?: PGlite;
}

export interface DbOptions {
  /** postgres://... ; when absent an embedded PGlite database in dataDir is used. */
  databaseUrl?: string;
  /** DATA_DIR: the embedded database lives in its `pglite` folder; "memory://" keeps it in memory. */
  dataDir?: string;
  poolMax?: number;
  /** Told about connections lost under us (PostgreSQL restarted, backend terminated); default: ignored. */
  onConnectionError?: (error: Error) => void;
}

export async function createDb(options: DbOptions): Promise<DbHandle> {
  if (options.databaseUrl) {
    const pool = new Pool({
      connectionString: options.databaseUrl,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // A dropped connection emits "error" on the pool (idle clients) or on the client (checked out); unheard,
    // either would crash the process. The query in flight fails on its own and the pool reconnects.
    const onError = options.onConnectionError ?? (() => undefined);
    pool.on("error", onError);
    pool.on("connect", (client) => client.on("error", onError));
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: "postgres",
      pool,
      close: () => pool.end(),
      ping: async () => {
        await pool.query("select 1");
      },
    };
  }
  const location =
    !options.dataDir || options.dataDir.startsWith("memory://")
      ? "memory://"
      : path.join(options.dataDir, "pglite");
  const pglite = new PGlite(location);
  await pglite.waitReady;
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    pglite,
    close: () => pglite.close(),
    ping: async () => {
      await pglite.query("select 1");
    },
  };
}
