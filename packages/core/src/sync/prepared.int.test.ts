import { kitchens } from "@occ/db";
import { createTestDatabase, type TestDatabase } from "@occ/testkit";
import { eq, sql } from "drizzle-orm";
import { preparedPerHandle } from "./prepared";

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(() => testDb?.drop());

test("a statement built in one transaction serves the next on the same connection, inside that transaction", async () => {
  const db = testDb.handle.db;
  let builds = 0;
  const rename = preparedPerHandle((handle: Pick<typeof db, "update">, _shape: "rename") => {
    builds++;
    return handle
      .update(kitchens)
      .set({ name: sql`${sql.placeholder("name")}` })
      .where(eq(kitchens.id, sql.placeholder("id")))
      .prepare("occ_test_rename_kitchen");
  });
  const [kitchen] = await db.insert(kitchens).values({ name: "Before", timezone: "UTC" }).returning();
  const nameNow = async () => (await db.select().from(kitchens).where(eq(kitchens.id, kitchen!.id)))[0]!.name;

  // Transactions one after the other: the pool hands the idle connection out again.
  await db.transaction((tx) => rename(tx, "rename").execute({ name: "First", id: kitchen!.id }));
  expect(await nameNow()).toBe("First");
  // The statement runs inside the second transaction: rolled back with it.
  await expect(
    db.transaction(async (tx) => {
      await rename(tx, "rename").execute({ name: "Second", id: kitchen!.id });
      expect((await tx.select().from(kitchens).where(eq(kitchens.id, kitchen!.id)))[0]!.name).toBe("Second");
      throw new Error("roll back");
    }),
  ).rejects.toThrow("roll back");
  expect(await nameNow()).toBe("First");
  expect(builds).toBe(1);

  // The pool's own handle is another connection: its statement is its own.
  await rename(db, "rename").execute({ name: "Third", id: kitchen!.id });
  expect(await nameNow()).toBe("Third");
  expect(builds).toBe(2);
});
