import { readFileSync } from "node:fs";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@occ/testkit";
import { eq } from "drizzle-orm";
import { createDb, type DbHandle } from "./client";
import { migrate, migrationsApplied } from "./migrate";
import { kitchens, newbookFrequentSyncSettings } from "./schema";

async function exerciseSchema(handle: DbHandle): Promise<void> {
  const [kitchen] = await handle.db
    .insert(kitchens)
    .values({ name: "Smoke", timezone: "Europe/London" })
    .returning();
  await handle.db.insert(newbookFrequentSyncSettings).values({ kitchenId: kitchen!.id });
  const [settings] = await handle.db
    .select()
    .from(newbookFrequentSyncSettings)
    .where(eq(newbookFrequentSyncSettings.kitchenId, kitchen!.id));
  expect(settings).toMatchObject({
    isEnabled: true,
    syncIntervalMinutes: 15,
    daysAhead: 7,
    consecutiveFailures: 0,
  });
  await expect(
    handle.db.update(newbookFrequentSyncSettings).set({ syncIntervalMinutes: 7 }).execute(),
  ).rejects.toThrow();
  await expect(
    handle.db.update(newbookFrequentSyncSettings).set({ daysAhead: 31 }).execute(),
  ).rejects.toThrow();
}

describe("migrations on PostgreSQL", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase("occ_migrate");
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("are idempotent when several processes migrate at once", async () => {
    const handles = await Promise.all([1, 2, 3].map(() => createDb({ databaseUrl: testDb.url, poolMax: 2 })));
    await Promise.all(handles.map((h) => migrate(h)));
    for (const h of handles) expect(await migrationsApplied(h)).toBe(true);
    await Promise.all(handles.map((h) => h.close()));
    const result = await testDb.handle.pool!.query(
      "select count(*)::int as n from drizzle.__drizzle_migrations",
    );
    // Each migration in the journal recorded exactly once, whoever applied it.
    const journal = JSON.parse(
      readFileSync(path.join(__dirname, "../migrations/meta/_journal.json"), "utf8"),
    ) as { entries: unknown[] };
    expect(result.rows[0]).toEqual({ n: journal.entries.length });
  });

  it("enforce the settings constraints", async () => {
    await exerciseSchema(testDb.handle);
  });
});

describe("migrations on embedded PGlite", () => {
  it("apply and serve the same queries", async () => {
    const handle = await createDb({ dataDir: "memory://" });
    try {
      expect(await migrationsApplied(handle)).toBe(false);
      await migrate(handle);
      expect(await migrationsApplied(handle)).toBe(true);
      await exerciseSchema(handle);
    } finally {
      await handle.close();
    }
  });
});
