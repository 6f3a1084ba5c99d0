import { randomBytes } from "node:crypto";
import { createDb, type DbHandle, migrate } from "@occ/db";
import { Client } from "pg";

/** Server used by integration tests; a database of its own is created per test file and dropped after. */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  name: string;
  handle: DbHandle;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function createTestDatabase(prefix = "occ_test"): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = withDatabase(TEST_POSTGRES_URL, name);
  const handle = await createDb({ databaseUrl: url, poolMax: 5 });
  await migrate(handle);
  return {
    url,
    name,
    handle,
    drop: async () => {
      await handle.close().catch(() => undefined);
      const cleanup = new Client({ connectionString: TEST_POSTGRES_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}
