import { type MealMapping, SecretBox } from "@occ/core";
import { type Db, kitchens, newbookConnections, newbookFrequentSyncSettings } from "@occ/db";

type SettingsInsert = typeof newbookFrequentSyncSettings.$inferInsert;

const VERIFIED_AGO_MS = 86_400_000;

export interface SeedKitchenInput {
  name?: string;
  timezone: string;
  /** A simulator property's credentials (or any Newbook account's). */
  property: { username: string; password: string; apiKey: string; region: string };
  baseUrl: string;
  /** ENCRYPTION_KEY the code under test will use to read the credentials back. */
  encryptionKey: string;
  settings?: Partial<Omit<SettingsInsert, "id" | "kitchenId">>;
  mealMapping?: MealMapping;
}

/** For integration tests and benchmarks: a kitchen with encrypted Newbook credentials and frequent-sync settings. */
export async function seedKitchenWithConnection(
  db: Db,
  input: SeedKitchenInput,
): Promise<{ kitchenId: number }> {
  const box = new SecretBox(input.encryptionKey);
  return db.transaction(async (tx) => {
    const [kitchen] = await tx
      .insert(kitchens)
      .values({ name: input.name ?? "Test kitchen", timezone: input.timezone })
      .returning({ id: kitchens.id });
    if (!kitchen) throw new Error("kitchen insert returned no row");
    await tx.insert(newbookConnections).values({
      kitchenId: kitchen.id,
      baseUrl: input.baseUrl,
      region: input.property.region,
      username: input.property.username,
      passwordEnc: box.encrypt(input.property.password),
      apiKeyEnc: box.encrypt(input.property.apiKey),
      breakfastGlAccountIds: [...(input.mealMapping?.breakfastGlAccountIds ?? [])],
      dinnerGlAccountIds: [...(input.mealMapping?.dinnerGlAccountIds ?? [])],
      // Passed its test long ago, as in a running system: a connection verified moments ago is left to the
      // request that verified it for a scaled minute (the reconciler's leftToTheirRequest).
      verifiedAt: new Date(Date.now() - VERIFIED_AGO_MS),
    });
    await tx
      .insert(newbookFrequentSyncSettings)
      .values({ ...input.settings, kitchenId: kitchen.id, hasConnection: true });
    return { kitchenId: kitchen.id };
  });
}
