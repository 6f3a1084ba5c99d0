import { RateLimitDeferredError, runBudget, type SlotSource } from "./deferring";

/** A budget of `free` slots now; every try is recorded as the number of slots it asked for. */
function slots(free: number, waitMs = 700): SlotSource & { tries: number[]; free: number } {
  const source = {
    tries: [] as number[],
    free,
    async tryAcquire(_key: string, wanted = 1) {
      source.tries.push(wanted);
      if (wanted > source.free) return waitMs;
      source.free -= wanted;
      return 0;
    },
    async acquire() {
      throw new Error("a run's budget never waits for a slot");
    },
  };
  return source;
}

const now = () => 1_000;

describe("runBudget", () => {
  it("serves reserved requests without asking again, and takes a slot for each request beyond", async () => {
    const source = slots(5);
    const budget = runBudget(source, { now });
    await budget.reserve("k", 2);
    await Promise.all([budget.acquire("k"), budget.acquire("k")]);
    expect(source.tries).toEqual([2]);
    await budget.acquire("k");
    expect(source.tries).toEqual([2, 1]);
    expect(source.free).toBe(2);
  });

  it("defers instead of waiting when the reservation cannot be had, taking nothing", async () => {
    const source = slots(1);
    const budget = runBudget(source, { now });
    const error = await budget.reserve("k", 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitDeferredError);
    expect(error).toMatchObject({ waitMs: 700, retryAtMs: 1_700, requestsNeeded: 2 });
    expect(source.free).toBe(1);
  });

  it("defers a request beyond the reservation mid-run, saying how many the next attempt needs", async () => {
    const source = slots(3);
    const budget = runBudget(source, { now });
    await budget.reserve("k", 1);
    await budget.acquire("k");
    // The first page told of 4 more: they are asked for at once.
    const error = await budget.reserve("k", 4).catch((e: unknown) => e);
    expect(error).toMatchObject({ requestsNeeded: 5 });
    expect(source.tries).toEqual([1, 4]);
  });

  it("once deferred, every later request of the run is deferred too without asking Redis", async () => {
    const source = slots(0);
    const budget = runBudget(source, { now });
    const [first, second] = await Promise.all([
      budget.acquire("k").catch((e: unknown) => e),
      budget.acquire("k").catch((e: unknown) => e),
    ]);
    expect(first).toBeInstanceOf(RateLimitDeferredError);
    expect(second).toBe(first);
    expect(source.tries).toEqual([1]);
  });

  it("reserves what the last deferral asked for before the first request", async () => {
    const source = slots(10);
    const budget = runBudget(source, { now, atLeast: 5 });
    await budget.reserve("k", 1);
    for (let i = 0; i < 5; i++) await budget.acquire("k");
    expect(source.tries).toEqual([5]);
    await budget.acquire("k");
    expect(source.tries).toEqual([5, 1]);
  });

  it("ends the run when Newbook asks for a pause, and every later request of it too", async () => {
    const source = slots(5);
    const budget = runBudget(source, { now });
    await budget.reserve("k", 2);
    await budget.acquire("k");
    const deferral = budget.deferFor?.("k", 15_000, "Newbook asked this connection to pause for 15 s");
    expect(deferral).toBeInstanceOf(RateLimitDeferredError);
    expect(deferral).toMatchObject({ waitMs: 15_000, retryAtMs: 16_000, requestsNeeded: 1 });
    expect(deferral?.message).toBe(
      "Newbook asked this connection to pause for 15 s; the sync waits in the queue",
    );
    await expect(budget.acquire("k")).rejects.toBe(deferral);
    expect(source.tries).toEqual([2]);
  });
});
