import fc from "fast-check";
import request from "supertest";
import { z } from "zod";
import type { Route } from "./http/route";
import {
  addAdmin,
  type Harness,
  seedVictimAndOther,
  startHarness,
  type TestKitchen,
} from "./testing/harness";
import { fillPath, routeTable } from "./testing/route-table";
import { kitchenSnapshot } from "./testing/snapshot";

/** Requests over all routes together; FUZZ_SEED reproduces a run (the seed is printed either way). */
const TOTAL_REQUESTS = 10_000;
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_130);
/** A request that has not answered by then counts as a hang. */
const HANG_MS = 5_000;

/** Values a client might plausibly or perversely send; URLs are local so no fuzzed request leaves the host. */
const scalar = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    "2025-01-01",
    "2025-02-30",
    "2025-12-31",
    "5",
    "15",
    "0",
    "-1",
    "1e3",
    "9999999999",
    "eu",
    "AU",
    "http://127.0.0.1:9/rest",
    "__proto__",
    "24h",
    "7d",
    "open",
    "all",
    "manager",
    "admin",
    "2025-06-01T00:00:00Z",
  ),
);
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), scalar, { maxKeys: 3 }) },
);

function shapeKeys(schema: unknown): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** Objects over the route's own field names (so validation is exercised deeply) plus stray keys. */
function objectOver(keys: string[]) {
  const known =
    keys.length > 0
      ? fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] })
      : fc.constant({});
  return fc
    .tuple(known, fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 2 }))
    .map(([a, b]) => ({ ...b, ...a }));
}

const queryValue = fc.oneof(
  fc.string({ maxLength: 16 }),
  fc.constantFrom(
    "1",
    "50",
    "200",
    "201",
    "2025-01-01",
    "2024-01-01",
    "2026-12-31",
    "24h",
    "7d",
    "all",
    "open",
    "failed",
    "x",
  ),
  fc.integer({ min: -5, max: 1000 }).map(String),
);

function queryOver(keys: string[]) {
  return fc.dictionary(
    fc.constantFrom(...keys, "junk", "kitchen_id"),
    fc.oneof(queryValue, fc.array(queryValue, { minLength: 2, maxLength: 2 })),
    {
      maxKeys: 4,
    },
  );
}

function encodeQuery(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [key, v] of Object.entries(query))
    for (const item of Array.isArray(v) ? v : [v])
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

describe("fuzz: every endpoint's body, query and path", () => {
  let h: Harness;
  let victim: TestKitchen;
  let fuzzer: TestKitchen;
  let admin: { token: string; id: number };
  let victimRunId: string;
  const protectedIds = new Set<number>();

  beforeAll(async () => {
    h = await startHarness({
      env: {
        NEWBOOK_RETRY_BASE_MS: "1",
        NEWBOOK_CONNECT_TIMEOUT_MS: "200",
        NEWBOOK_TIMEOUT_MS: "500",
        NEWBOOK_TEST_TIMEOUT_MS: "1000",
        // Connection tests must not queue for the shared per-credential budget (90/min by default).
        NEWBOOK_RATE_LIMIT: "10000",
      },
    });
    const seeded = await seedVictimAndOther(h, "Fuzzer", {
      // A closed port: the fuzzer's connection tests fail fast instead of reaching out.
      base_url: "http://127.0.0.1:9/rest",
      password: "fuzz-victim-password",
      api_key: "fuzz-victim-api-key",
    });
    victim = seeded.victim;
    fuzzer = seeded.other;
    victimRunId = seeded.victimRunId;
    admin = await addAdmin(h);
    // Ids the admin fuzzing must not touch: the victim kitchen, its manager, the fuzzer's manager and the admin.
    for (const id of [victim.id, fuzzer.id, admin.id]) protectedIds.add(id);
    const users = await request(h.app).get("/api/admin/users").set("Authorization", `Bearer ${admin.token}`);
    for (const u of users.body.users as { id: number }[]) protectedIds.add(u.id);
  }, 60_000);
  afterAll(() => h.close());

  function pathParams(route: Route) {
    const names = [...route.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);
    const id = fc.oneof(
      fc
        .integer({ min: 1, max: 100_000 })
        .filter((n) => !protectedIds.has(n))
        .map(String),
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.constantFrom("0", "-1", "1.5", "99999999999", "%00"),
    );
    const other = fc.oneof(
      fc.uuid().map(String),
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.constant(victimRunId),
    );
    return fc.record(Object.fromEntries(names.map((n) => [n, n === "id" ? id : other])));
  }

  function requestArb(route: Route) {
    const content = route.openapi.request?.body?.content["application/json"];
    const bodySchema = content && "schema" in content ? content.schema : undefined;
    // Sent as raw text: JSON objects over the route's fields, any JSON value, or not JSON at all.
    const body = fc.oneof(
      { weight: 4, arbitrary: objectOver(shapeKeys(bodySchema)).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    );
    const query = queryOver(shapeKeys(route.openapi.request?.query));
    const asVictimScope = fc.boolean();
    return fc.record({ body, query, params: pathParams(route), asVictimScope });
  }

  // Connection tests run before the connection itself is fuzzed, so they use the saved local URL.
  const order = (r: Route) => (r.method === "put" && r.path.endsWith("newbook-connection") ? 1 : 0);

  it(`sends ${TOTAL_REQUESTS} generated requests over every route of the OpenAPI document: never a 5xx or a hang, every 4xx in the error shape, never a change to another kitchen`, async () => {
    const before = await kitchenSnapshot(h.db.handle.db, victim.id);
    const all = routeTable(h);
    // Every operation the OpenAPI document lists is known here (and nothing it does not list).
    const document = (await request(h.app).get("/api/openapi.json")).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(all.map((r) => `${r.method} ${r.openapi.path}`).sort()).toEqual(operations.sort());
    // An event stream never ends, so it cannot be fuzzed request by request (routes/live.int.test.ts).
    const routes = all.filter((route) => !route.stream).sort((a, b) => order(a) - order(b));
    const runsPerRoute = Math.ceil(TOTAL_REQUESTS / routes.length);
    console.log(
      `fuzz: seed ${SEED} (FUZZ_SEED=${SEED} reproduces), ${runsPerRoute} requests x ${routes.length} routes`,
    );
    // A 503 for a Redis call that outlived its time box on a busy test machine is not what this looks for.
    const server = h.makeApp({ redisTimeoutMs: 15_000 }).listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const started = performance.now();
    let total = 0;
    let slowestMs = 0;
    const timings: string[] = [];
    const statuses: Record<number, number> = {};
    for (const [index, route] of routes.entries()) {
      const routeStarted = performance.now();
      const token = route.access === "admin" ? admin.token : fuzzer.token;
      await fc.assert(
        fc.asyncProperty(requestArb(route), async ({ body, query, params, asVictimScope }) => {
          const q = { ...query } as Record<string, string | string[]>;
          if (route.access === "kitchen" && asVictimScope) q.kitchen_id = String(victim.id);
          const url = `${fillPath(route.path, params as Record<string, string>)}${encodeQuery(q)}`;
          const sent = performance.now();
          const res = await request(server)
            [route.method](url)
            .timeout(HANG_MS)
            .set("Authorization", `Bearer ${token}`)
            .set("Content-Type", "application/json")
            .send(body)
            .catch((error: unknown) => {
              throw new Error(`${route.method} ${url} did not answer within ${HANG_MS} ms: ${String(error)}`);
            });
          slowestMs = Math.max(slowestMs, performance.now() - sent);
          total += 1;
          statuses[Math.floor(res.status / 100)] = (statuses[Math.floor(res.status / 100)] ?? 0) + 1;
          if (res.status >= 500)
            throw new Error(`${route.method} ${url} -> ${res.status} ${JSON.stringify(res.body)}`);
          if (
            res.status >= 400 &&
            (typeof res.body?.error?.code !== "string" || typeof res.body?.error?.message !== "string")
          )
            throw new Error(`${route.method} ${url} -> ${res.status} without the error shape`);
        }),
        { numRuns: runsPerRoute, seed: SEED + index },
      );
      timings.push(
        `${route.method} ${route.path} ${((performance.now() - routeStarted) / 1000).toFixed(1)} s`,
      );
    }
    console.log(`fuzz: time per route\n${timings.join("\n")}`);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    console.log(
      `fuzz: ${total} requests in ${((performance.now() - started) / 1000).toFixed(1)} s, slowest ${slowestMs.toFixed(0)} ms, by class ${JSON.stringify(statuses)}`,
    );
    expect(total).toBeGreaterThanOrEqual(TOTAL_REQUESTS);
    // Both accepted and rejected inputs were generated, so the handlers behind validation ran too.
    // (Fewer succeed since saved secrets are bound to their origin and hosts are allowlisted.)
    expect(statuses[2]).toBeGreaterThan(total / 20);
    expect(statuses[4]).toBeGreaterThan(total / 10);
    expect(await kitchenSnapshot(h.db.handle.db, victim.id)).toEqual(before);
    expect(h.logs.text()).not.toContain("fuzz-victim-password");
    expect(h.logs.text()).not.toContain("fuzz-victim-api-key");
  }, 300_000);
});
