import { createDb } from "./client";
import { migrate } from "./migrate";

/** `npm run db:migrate`: applies migrations to DATABASE_URL, or to the embedded database in DATA_DIR. */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const handle = await createDb({ databaseUrl, dataDir: process.env.DATA_DIR ?? "./.data" });
  try {
    await migrate(handle);
    process.stdout.write(`${JSON.stringify({ message: "migrations applied", target: handle.kind })}\n`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
