import type { SecretBox } from "@occ/core";
import type { Db } from "@occ/db";
import { newbookConnections } from "@occ/db";
import { and, eq } from "drizzle-orm";

export interface ReencryptResult {
  connections: number;
  reencrypted: number;
}

/**
 * Key rotation's last step: every stored Newbook secret not yet under the newest key (ENCRYPTION_KEYS'
 * first) is decrypted with whichever key it names and written back under the newest. Each row is updated
 * only if it still holds what was read, so a connection saved meanwhile is left as saved. Run again until
 * `reencrypted` is 0; then the old keys can leave ENCRYPTION_KEYS.
 */
export async function reencryptSecrets(db: Db, box: SecretBox): Promise<ReencryptResult> {
  const rows = await db
    .select({
      kitchenId: newbookConnections.kitchenId,
      passwordEnc: newbookConnections.passwordEnc,
      apiKeyEnc: newbookConnections.apiKeyEnc,
    })
    .from(newbookConnections);
  let reencrypted = 0;
  for (const row of rows) {
    if (box.isCurrent(row.passwordEnc) && box.isCurrent(row.apiKeyEnc)) continue;
    const rewrite = (envelope: string) =>
      box.isCurrent(envelope) ? envelope : box.encrypt(box.decrypt(envelope));
    const updated = await db
      .update(newbookConnections)
      .set({ passwordEnc: rewrite(row.passwordEnc), apiKeyEnc: rewrite(row.apiKeyEnc) })
      .where(
        and(
          eq(newbookConnections.kitchenId, row.kitchenId),
          eq(newbookConnections.passwordEnc, row.passwordEnc),
          eq(newbookConnections.apiKeyEnc, row.apiKeyEnc),
        ),
      )
      .returning({ kitchenId: newbookConnections.kitchenId });
    reencrypted += updated.length;
  }
  return { connections: rows.length, reencrypted };
}
