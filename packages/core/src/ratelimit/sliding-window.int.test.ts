import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import { deleteKeysUnder, SimControl } from "@occ/testkit";
import { Redis } from "ioredis";
import { credentialKey, RateLimitWaitError } from "./rate-limiter";
import { SlidingWindowRateLimiter } from "./sliding-window";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test-${process.pid}-${randomBytes(4).toString("hex")}`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await deleteKeysUnder(redis, prefix);
  await redis.quit();
});

function limiter(options: { limit: number; windowMs: number; maxWaitMs?: number; guardMs?: number }) {
  const sleeps: number[] = [];
  const instance = new SlidingWindowRateLimiter({
    redis,
    prefix,
    ...options,
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
  return { instance, sleeps };
}

/** Largest number of timestamps inside any half-open window [t, t + windowMs). */
function busiestWindow(timestamps: number[], windowMs: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe("SlidingWindowRateLimiter", () => {
  it("keys by a hash of the credential, never the secret", () => {
    const key = credentialKey({
      baseUrl: "https://api.newbook.cloud/rest",
      username: "hotel",
      apiKey: "instances_s3cret",
    });
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    const { instance } = limiter({ limit: 1, windowMs: 1000 });
    expect(instance.keyFor(key)).toBe(`${prefix}:ratelimit:${key}`);
    expect(instance.keyFor(key)).not.toContain("s3cret");
  });

  it("grants `limit` slots at once, then waits for the oldest to leave the window", async () => {
    const { instance, sleeps } = limiter({ limit: 3, windowMs: 400, guardMs: 0 });
    const started = Date.now();
    await Promise.all([1, 2, 3].map(() => instance.acquire("burst")));
    expect(sleeps).toEqual([]);
    // Simultaneous requests each got their own entry.
    expect(await redis.zcard(instance.keyFor("burst"))).toBe(3);
    await instance.acquire("burst");
    expect(sleeps.length).toBeGreaterThanOrEqual(1);
    expect(sleeps[0]).toBeGreaterThan(0);
    expect(sleeps[0]).toBeLessThanOrEqual(400);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    // The key expires on its own once the window is empty.
    expect(await redis.pttl(instance.keyFor("burst"))).toBeLessThanOrEqual(400);
  });

  it("takes several slots at once or none, saying how long until that many are free", async () => {
    const { instance } = limiter({ limit: 4, windowMs: 60_000, guardMs: 0 });
    expect(await instance.tryAcquire("many", 3)).toBe(0);
    expect(await redis.zcard(instance.keyFor("many"))).toBe(3);
    // Two more do not fit: nothing is taken, and the wait is until the oldest of the three leaves.
    const waitMs = await instance.tryAcquire("many", 2);
    expect(waitMs).toBeGreaterThan(59_000);
    expect(waitMs).toBeLessThanOrEqual(60_000);
    expect(await redis.zcard(instance.keyFor("many"))).toBe(3);
    expect(await instance.tryAcquire("many", 1)).toBe(0);
    expect(await redis.zcard(instance.keyFor("many"))).toBe(4);
  });

  it("keeps credentials apart", async () => {
    const { instance, sleeps } = limiter({ limit: 1, windowMs: 10_000 });
    await instance.acquire("one");
    await instance.acquire("two");
    expect(sleeps).toEqual([]);
  });

  it("gives up with a clear error rather than waiting past maxWaitMs", async () => {
    const { instance, sleeps } = limiter({ limit: 1, windowMs: 10_000, maxWaitMs: 500 });
    await instance.acquire("full");
    const error = await instance.acquire("full").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitWaitError);
    expect((error as Error).message).toMatch(/request budget is used up/);
    expect(sleeps).toEqual([]);
  });
});

describe("one budget shared by several processes", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ properties: 1, rooms: 10, seed: 3 });
  });
  afterAll(() => sim.close());

  it("never lets any window hold more than the budget, and all work completes", async () => {
    const property = sim.properties[0]!;
    const control = new SimControl(sim.controlUrl);
    await control.reset();
    const limit = 10;
    const windowMs = 1000;
    // Children start cold under tsx, competing for the CPU: their first requests reach the simulator up
    // to ~150 ms after the slot was granted, later ones within a few ms. The guard covers that gap.
    const guardMs = 200;
    const perProcess = [14, 13, 13];
    const child = path.join(__dirname, "testing", "limited-client-process.ts");
    const run = promisify(execFile);
    const outputs = await Promise.all(
      perProcess.map((requests) =>
        run(
          process.execPath,
          [
            "--import",
            "tsx",
            child,
            JSON.stringify({
              baseUrl: sim.baseUrl,
              region: property.region,
              username: property.username,
              password: property.password,
              apiKey: property.apiKey,
              redisUrl: REDIS_URL,
              prefix,
              limit,
              windowMs,
              guardMs,
              requests,
            }),
          ],
          { timeout: 30_000 },
        ),
      ),
    );
    for (const [i, output] of outputs.entries()) {
      expect(JSON.parse(output.stdout)).toEqual({ completed: perProcess[i], calls: perProcess[i] });
    }

    const log = (await control.requests()).filter((r) => r.action === "auth_test");
    expect(log).toHaveLength(40);
    expect(log.every((r) => r.status === 200)).toBe(true);
    const times = log.map((r) => Date.parse(r.at));
    expect(busiestWindow(times, windowMs)).toBeLessThanOrEqual(limit);
    // 40 requests at 10 per second cannot finish in under 3 windows.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(3 * windowMs - 50);
  }, 60_000);
});
