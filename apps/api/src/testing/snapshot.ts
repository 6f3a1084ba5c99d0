import type { Db } from "@occ/db";
import {
  alerts,
  dailyOccupancy,
  kitchens,
  newbookConnections,
  newbookFrequentSyncSettings,
  syncRuns,
  users,
} from "@occ/db";
import { asc, eq } from "drizzle-orm";

/** Every row that belongs to one kitchen, to prove a test left it untouched. */
export async function kitchenSnapshot(db: Db, kitchenId: number) {
  return {
    kitchen: await db.select().from(kitchens).where(eq(kitchens.id, kitchenId)),
    users: await db.select().from(users).where(eq(users.kitchenId, kitchenId)).orderBy(asc(users.id)),
    settings: await db
      .select()
      .from(newbookFrequentSyncSettings)
      .where(eq(newbookFrequentSyncSettings.kitchenId, kitchenId)),
    connection: await db.select().from(newbookConnections).where(eq(newbookConnections.kitchenId, kitchenId)),
    runs: await db
      .select()
      .from(syncRuns)
      .where(eq(syncRuns.kitchenId, kitchenId))
      .orderBy(asc(syncRuns.queuedAt)),
    occupancy: await db.select().from(dailyOccupancy).where(eq(dailyOccupancy.kitchenId, kitchenId)),
    alerts: await db.select().from(alerts).where(eq(alerts.kitchenId, kitchenId)),
  };
}
