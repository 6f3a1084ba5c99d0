import { createTestDatabase, seedKitchenWithConnection, type TestDatabase } from "@occ/testkit";
import { Registry } from "prom-client";
import { generateEncryptionKey } from "../crypto";
import { registerKitchenGauges } from "./kitchen-gauges";

let testDb: TestDatabase;
const kitchens: Record<string, number> = {};
const hourAgo = new Date(Date.now() - 3_600_000);
const dayAgo = new Date(Date.now() - 86_400_000);

beforeAll(async () => {
  testDb = await createTestDatabase();
  const encryptionKey = generateEncryptionKey();
  const seed = async (name: string, settings: Record<string, unknown>) => {
    ({ kitchenId: kitchens[name] } = await seedKitchenWithConnection(testDb.handle.db, {
      name,
      timezone: "Europe/London",
      property: { username: "u", password: "p", apiKey: "k", region: "eu" },
      baseUrl: "http://127.0.0.1:1/rest",
      encryptionKey,
      settings,
    }));
  };
  for (let i = 0; i < 5; i++) await seed(`healthy${i}`, { lastSuccessAt: new Date() });
  await seed("failing", { consecutiveFailures: 4, lastSuccessAt: hourAgo });
  await seed("stale", { lastSuccessAt: dayAgo });
  await seed("disabled", { isEnabled: false, consecutiveFailures: 9, lastSuccessAt: dayAgo });
});

afterAll(() => testDb.drop());

const seriesOf = (text: string, name: string) =>
  text.split("\n").filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

test("only the kitchens needing most attention get series of their own; totals cover every kitchen", async () => {
  const registry = new Registry();
  registerKitchenGauges(registry, testDb.handle.db, { seriesLimit: 2 });
  const text = await registry.metrics();

  expect(seriesOf(text, "sync_consecutive_failures")).toEqual([
    `sync_consecutive_failures{kitchen="${kitchens.failing}"} 4`,
    `sync_consecutive_failures{kitchen="${kitchens.stale}"} 0`,
  ]);
  expect(seriesOf(text, "sync_last_success_timestamp_seconds")).toHaveLength(2);
  expect(seriesOf(text, "sync_kitchens_enabled")).toEqual(["sync_kitchens_enabled 7"]);
  expect(seriesOf(text, "sync_kitchens_failing")).toEqual(["sync_kitchens_failing 1"]);
  expect(seriesOf(text, "sync_oldest_last_success_timestamp_seconds")).toEqual([
    `sync_oldest_last_success_timestamp_seconds ${dayAgo.getTime() / 1000}`,
  ]);
});

test("a limit of 0 leaves only the set-wide gauges", async () => {
  const registry = new Registry();
  registerKitchenGauges(registry, testDb.handle.db, { seriesLimit: 0 });
  const text = await registry.metrics();
  expect(text).not.toContain("kitchen=");
  expect(seriesOf(text, "sync_kitchens_failing")).toEqual(["sync_kitchens_failing 1"]);
});
