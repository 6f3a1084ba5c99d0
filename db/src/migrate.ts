import path from "node:path";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { ADVISORY_LOCKS } from "./advisory-locks";
import type { DbHandle } from "./client";

export const MIGRATIONS_DIR = path.resolve(__dirname, "..", "migrations");
const MIGRATION_LOCK_KEY = ADVISORY_LOCKS.migrations;

/**
 * Applies pending migrations. Replicas may start together: on PostgreSQL a session advisory lock held on a
 * dedicated connection makes the others wait, then find nothing left to do.
 */
export async function migrate(handle: DbHandle): Promise<void> {
  if (handle.kind === "pglite") {
    // PGlite lives inside this one process, so nothing else can migrate it concurrently.
    await migratePglite(handle.db as never, { migrationsFolder: MIGRATIONS_DIR });
    return;
  }
  const pool = handle.pool!;
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

/** True when every migration shipped with this build is applied (used by /readyz). */
export async function migrationsApplied(handle: DbHandle): Promise<boolean> {
  const { readMigrationFiles } = await import("drizzle-orm/migrator");
  const expected = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).length;
  try {
    const result =
      handle.kind === "postgres"
        ? (await handle.pool!.query("select count(*)::int as n from drizzle.__drizzle_migrations")).rows
        : (
            await handle.pglite!.query<{ n: number }>(
              "select count(*)::int as n from drizzle.__drizzle_migrations",
            )
          ).rows;
    return Number((result[0] as { n: number } | undefined)?.n ?? 0) >= expected;
  } catch {
    return false;
  }
}
