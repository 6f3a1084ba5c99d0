import type { Db } from "@occ/db";
import { kitchens, newbookFrequentSyncSettings } from "@occ/db";
import { asc, eq } from "drizzle-orm";
import { ApiError } from "../errors";

export interface KitchenView {
  id: number;
  name: string;
  timezone: string;
  created_at: string;
}

type KitchenRow = typeof kitchens.$inferSelect;

export function kitchenView(row: KitchenRow): KitchenView {
  return { id: row.id, name: row.name, timezone: row.timezone, created_at: row.createdAt.toISOString() };
}

export async function findKitchen(db: Db, id: number): Promise<KitchenRow | null> {
  const [row] = await db.select().from(kitchens).where(eq(kitchens.id, id));
  return row ?? null;
}

/** A new kitchen starts with the plan's default sync settings (enabled, every 15 minutes, 7 days ahead). */
export async function createKitchen(db: Db, input: { name: string; timezone: string }): Promise<KitchenView> {
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(kitchens).values(input).returning();
    await tx
      .insert(newbookFrequentSyncSettings)
      .values({ kitchenId: row!.id })
      .onConflictDoNothing({ target: newbookFrequentSyncSettings.kitchenId });
    return kitchenView(row!);
  });
}

export async function listKitchens(db: Db): Promise<KitchenView[]> {
  const rows = await db.select().from(kitchens).orderBy(asc(kitchens.id));
  return rows.map(kitchenView);
}

export async function updateKitchen(
  db: Db,
  id: number,
  patch: { name?: string; timezone?: string },
): Promise<KitchenView> {
  const [row] = await db
    .update(kitchens)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(kitchens.id, id))
    .returning();
  if (!row) throw ApiError.notFound("Kitchen");
  return kitchenView(row);
}

/** Deletes the kitchen and, by cascade, its users, settings, connection, runs and data. */
export async function deleteKitchen(db: Db, id: number): Promise<void> {
  const deleted = await db.delete(kitchens).where(eq(kitchens.id, id)).returning({ id: kitchens.id });
  if (deleted.length === 0) throw ApiError.notFound("Kitchen");
}
