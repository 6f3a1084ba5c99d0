import { Faults, faultSchema } from "./faults";

describe("Faults", () => {
  it("honours after, count and actions", () => {
    const faults = new Faults();
    faults.add("p1", { type: "http500", count: 2, after: 1, actions: ["bookings_list"] });
    expect(faults.take("p1", "sites_list")).toBeUndefined();
    expect(faults.take("p1", "bookings_list")).toBeUndefined(); // the one let through
    expect(faults.take("p1", "bookings_list")?.type).toBe("http500");
    expect(faults.take("p2", "bookings_list")).toBeUndefined();
    expect(faults.take("p1", "bookings_list")?.type).toBe("http500");
    expect(faults.take("p1", "bookings_list")).toBeUndefined();
    expect(faults.list("p1")).toEqual([]);
  });

  it("without count lasts until cleared", () => {
    const faults = new Faults();
    faults.add("p1", { type: "hang" });
    for (let i = 0; i < 5; i++) expect(faults.take("p1", "auth_test")?.type).toBe("hang");
    faults.clear("p1");
    expect(faults.take("p1", "auth_test")).toBeUndefined();
  });

  it("validates specs", () => {
    expect(faultSchema.safeParse({ type: "http418" }).success).toBe(false);
    expect(faultSchema.safeParse({ type: "http503", count: 0 }).success).toBe(false);
    expect(faultSchema.safeParse({ type: "http503", retry_after_seconds: 3 }).success).toBe(true);
  });
});
