import { Throttle } from "./throttle";

describe("Throttle (sliding minute per credential)", () => {
  it("denies beyond the limit, per key, and frees budget as the window slides", () => {
    let t = 1_000_000;
    const throttle = new Throttle(
      () => 3,
      () => t,
    );
    expect(throttle.hit("a").allowed).toBe(true);
    t += 10_000;
    expect(throttle.hit("a").allowed).toBe(true);
    expect(throttle.hit("a").allowed).toBe(true);
    const denied = throttle.hit("a");
    expect(denied).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(throttle.hit("b").allowed).toBe(true);
    t += 50_000; // the first hit is now exactly a minute old
    expect(throttle.hit("a").allowed).toBe(true);
    expect(throttle.hit("a").allowed).toBe(false);
  });

  it("reads the limit at each call and reset() clears windows", () => {
    let limit = 1;
    const throttle = new Throttle(
      () => limit,
      () => 0,
    );
    expect(throttle.hit("k").allowed).toBe(true);
    expect(throttle.hit("k").allowed).toBe(false);
    limit = 2;
    expect(throttle.hit("k").allowed).toBe(true);
    throttle.reset();
    expect(throttle.hit("k").allowed).toBe(true);
  });
});
