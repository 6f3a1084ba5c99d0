import { randomBytes } from "node:crypto";
import { createLogger } from "@occ/core";
import { deleteKeysUnder, until } from "@occ/testkit";
import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "../test/harness";
import { KitchenLocks } from "./kitchen-locks";
import { LockLostError, RedisLock } from "./redis-lock";

let redis: Redis;
const prefix = `test-locks-${process.pid}-${randomBytes(4).toString("hex")}`;
const logger = createLogger({ service: "test", level: "error" });

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  await deleteKeysUnder(redis, prefix);
  redis.disconnect();
});

/** Waits until the key's remaining lifetime has been pushed back up `times` times: renewals seen, not assumed. */
async function renewals(key: string, times: number): Promise<void> {
  let seen = 0;
  let last = await redis.pttl(key);
  await until(
    `${times} renewals of ${key}`,
    async () => {
      const remaining = await redis.pttl(key);
      if (remaining > last) seen++;
      last = remaining;
      return seen >= times;
    },
    5_000,
    10,
  );
}

describe("KitchenLocks", () => {
  let kitchenLocks: KitchenLocks;
  const locks = () => kitchenLocks;
  beforeEach(() => {
    kitchenLocks = new KitchenLocks({ redis, prefix, ttlMs: 300, logger });
  });
  afterEach(() => kitchenLocks.releaseAll());

  it("lets one run hold a kitchen and keeps it past the TTL while held", async () => {
    const first = await locks().acquire(1, "run-a");
    expect(first).not.toBeNull();
    await renewals(locks().keyFor(1), 6); // renewed every third of the TTL: held for twice the TTL
    expect(await locks().acquire(1, "run-b")).toBeNull();
    expect(await locks().acquire(2, "run-b")).not.toBeNull();
    await first!.release();
    expect(await locks().acquire(1, "run-b")).not.toBeNull();
  });

  it("expires a lock whose holder died, and waits for it when asked to", async () => {
    await new RedisLock(redis, `${prefix}:kitchen-lock:3`, "dead-run", 300).tryAcquire();
    expect(await locks().acquire(3, "run-c")).toBeNull();
    const started = Date.now();
    const taken = await locks().acquire(3, "run-c", 1_000);
    expect(taken).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("fails the fencing check once the key is gone, and stops renewing for good", async () => {
    const held = (await locks().acquire(4, "run-d"))!;
    await expect(held.ensureHeld()).resolves.toBeUndefined();
    await redis.del(locks().keyFor(4));
    await expect(held.ensureHeld()).rejects.toBeInstanceOf(LockLostError);
    expect(held.lost).toBe(true);
    // Were renewals still running, they would keep this short-lived key alive.
    await redis.set(locks().keyFor(4), "run-d", "PX", 300);
    await until(
      "the unrenewed key to expire",
      async () => (await redis.exists(locks().keyFor(4))) === 0,
      5_000,
      20,
    );
    expect(await redis.exists(locks().keyFor(4))).toBe(0);
    await expect(held.ensureHeld()).rejects.toBeInstanceOf(LockLostError);
  });
});

describe("RedisLock", () => {
  it("never renews or releases a lock another owner holds", async () => {
    const key = `${prefix}:other`;
    const mine = new RedisLock(redis, key, "mine", 10_000);
    const theirs = new RedisLock(redis, key, "theirs", 10_000);
    expect(await theirs.tryAcquire()).toBe(true);
    expect(await mine.tryAcquire()).toBe(false);
    expect(await mine.renew()).toBe(false);
    expect(await mine.release()).toBe(false);
    expect(await redis.get(key)).toBe("theirs");
    expect(await theirs.release()).toBe(true);
    expect(await redis.exists(key)).toBe(0);
  });
});
