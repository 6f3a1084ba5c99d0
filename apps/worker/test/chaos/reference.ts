import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { createLogger, loadConfig, runFrequentSync } from "@occ/core";
import { type Db, dailyOccupancy } from "@occ/db";
import type { SimProperty } from "@occ/newbook-sim";
import { createTestDatabase, seedKitchenWithConnection, type TestDatabase } from "@occ/testkit";
import { asc, eq } from "drizzle-orm";

/** A kitchen's daily figures without what legitimately differs between two databases or runs. */
export type DayFigures = Omit<
  typeof dailyOccupancy.$inferSelect,
  "id" | "kitchenId" | "sourceRunId" | "fetchedAt" | "changedAt" | "previousFigures"
>;

export async function figuresOf(db: Db, kitchenId: number): Promise<DayFigures[]> {
  const rows = await db
    .select()
    .from(dailyOccupancy)
    .where(eq(dailyOccupancy.kitchenId, kitchenId))
    .orderBy(asc(dailyOccupancy.date));
  return rows.map(
    ({ id, kitchenId: _k, sourceRunId, fetchedAt, changedAt, previousFigures, ...figures }) => figures,
  );
}

/** Null when equal, else the first difference in words. */
export function figuresDifference(
  actual: readonly DayFigures[],
  expected: readonly DayFigures[],
): string | null {
  const dates = (rows: readonly DayFigures[]) => rows.map((r) => r.date).join(",");
  if (dates(actual) !== dates(expected)) return `dates ${dates(actual) || "none"} vs ${dates(expected)}`;
  for (const [i, day] of actual.entries()) {
    const clean = expected[i]!;
    for (const key of Object.keys(clean) as Array<keyof DayFigures>) {
      if (!isDeepStrictEqual(day[key], clean[key])) return `${day.date} ${key} differs`;
    }
  }
  return null;
}

export interface ReferenceKitchen {
  property: SimProperty;
  baseUrl: string;
  encryptionKey: string;
}

/**
 * What a clean sync makes of the simulator's current bookings: a kitchen seeded like the one under
 * test, in a database nothing else touches, synced once by the engine in this process.
 */
export class CleanReference {
  private readonly logger = createLogger({ service: "chaos-reference", level: "error", format: "json" });

  private constructor(private readonly testDb: TestDatabase) {}

  static async create(): Promise<CleanReference> {
    return new CleanReference(await createTestDatabase("occ_chaos_clean"));
  }

  async figures(kitchen: ReferenceKitchen): Promise<DayFigures[]> {
    const db = this.testDb.handle.db;
    const { kitchenId } = await seedKitchenWithConnection(db, {
      name: `Reference for ${kitchen.property.name}`,
      timezone: kitchen.property.timezone,
      property: kitchen.property,
      baseUrl: kitchen.baseUrl,
      encryptionKey: kitchen.encryptionKey,
      settings: { isEnabled: false },
    });
    const config = loadConfig({
      NODE_ENV: "test",
      ENCRYPTION_KEY: kitchen.encryptionKey,
      NEWBOOK_MAX_RETRIES: "3",
    });
    await runFrequentSync(
      { db, logger: this.logger, config },
      { kitchenId, runId: randomUUID(), trigger: "chaos" },
    );
    return figuresOf(db, kitchenId);
  }

  async close(): Promise<void> {
    await this.testDb.drop();
  }
}
