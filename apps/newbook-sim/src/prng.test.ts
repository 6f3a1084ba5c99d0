import { hashSeed, mulberry32, randInt, weighted } from "./prng";

describe("prng", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it("randInt stays inclusive within bounds and weighted honours weights", () => {
    const rng = mulberry32(7);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(randInt(rng, 1, 3));
    expect([...seen].sort()).toEqual([1, 2, 3]);
    let heavy = 0;
    for (let i = 0; i < 1000; i++)
      if (
        weighted(rng, [
          ["a", 9],
          ["b", 1],
        ] as const) === "a"
      )
        heavy++;
    expect(heavy).toBeGreaterThan(800);
  });

  it("hashSeed separates streams", () => {
    expect(hashSeed(1, 0)).not.toBe(hashSeed(1, 1));
    expect(hashSeed(1, 0)).toBe(hashSeed(1, 0));
  });
});
