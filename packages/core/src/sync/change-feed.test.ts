import {
  CHANGE_FEED_OVERLAP_MS,
  changeFeedFrom,
  changeFeedStart,
  recentAfter,
  recentByDigest,
  staysInPeriod,
} from "./change-feed";
import type { ListingFingerprint } from "./context";

const stamped = (...stamps: Array<string | null>) => stamps.map((modifiedAt) => ({ modifiedAt }));

describe("changeFeedStart", () => {
  it("starts the overlap before the latest stamp read, across midnight and month ends", () => {
    expect(CHANGE_FEED_OVERLAP_MS).toBe(10 * 60_000);
    expect(changeFeedStart(null, stamped("2026-11-30 23:05:00", "2026-12-01 00:04:59", null))).toBe(
      "2026-11-30 23:54:59",
    );
  });

  it("keeps the earlier start when nothing read is later, and never moves back", () => {
    expect(changeFeedStart("2026-12-01 09:00:00", stamped())).toBe("2026-12-01 09:00:00");
    expect(changeFeedStart("2026-12-01 09:00:00", stamped("2026-12-01 09:05:00"))).toBe(
      "2026-12-01 09:00:00",
    );
    expect(changeFeedStart("2026-12-01 09:00:00", stamped("2026-12-01 10:00:00"))).toBe(
      "2026-12-01 09:50:00",
    );
  });

  it("knows no start without a stamp or from a start of another form", () => {
    expect(changeFeedStart(undefined, stamped(null, null))).toBeNull();
    expect(changeFeedStart("yesterday", stamped())).toBeNull();
  });
});

describe("changeFeedFrom", () => {
  const previous: ListingFingerprint = {
    inputs: "x",
    pages: [],
    bookings: 3,
    fullReadAt: "2026-12-01T09:00:00.000Z",
    changesSince: "2026-12-01 08:50:00",
  };
  const at = (iso: string) => new Date(iso);
  const thirty = 30 * 60_000;

  it("uses the feed until the last whole read is SYNC_FULL_READ_MINUTES old", () => {
    expect(changeFeedFrom(previous, at("2026-12-01T09:29:59.999Z"), thirty)).toBe("2026-12-01 08:50:00");
    expect(changeFeedFrom(previous, at("2026-12-01T09:30:00.000Z"), thirty)).toBeNull();
  });

  it("reads whole when off, without a start, or when our clock is behind the last whole read", () => {
    expect(changeFeedFrom(previous, at("2026-12-01T09:01:00Z"), 0)).toBeNull();
    expect(
      changeFeedFrom({ ...previous, changesSince: undefined }, at("2026-12-01T09:01:00Z"), thirty),
    ).toBeNull();
    expect(
      changeFeedFrom({ ...previous, fullReadAt: undefined }, at("2026-12-01T09:01:00Z"), thirty),
    ).toBeNull();
    expect(changeFeedFrom(previous, at("2026-12-01T08:59:00Z"), thirty)).toBeNull();
    expect(changeFeedFrom(null, at("2026-12-01T09:01:00Z"), thirty)).toBeNull();
  });
});

describe("staysInPeriod", () => {
  const period = { periodFrom: "2026-12-01 00:00:00", periodTo: "2026-12-05 23:59:59" };
  const booking = (
    statusKey: "confirmed" | "arrived" | "cancelled" | "other",
    arrivalAt: string,
    departureAt: string,
  ) => ({
    statusKey,
    arrivalAt,
    departureAt,
  });

  it("is Newbook's staying: the stay overlaps the period and the status occupies a room", () => {
    expect(staysInPeriod(booking("confirmed", "2026-11-30 14:00:00", "2026-12-01 10:30:00"), period)).toBe(
      true,
    );
    expect(staysInPeriod(booking("arrived", "2026-12-05 14:00:00", "2026-12-07 10:30:00"), period)).toBe(
      true,
    );
    expect(staysInPeriod(booking("confirmed", "2026-12-06 14:00:00", "2026-12-07 10:30:00"), period)).toBe(
      false,
    );
    expect(staysInPeriod(booking("confirmed", "2026-11-28 14:00:00", "2026-11-30 10:30:00"), period)).toBe(
      false,
    );
    expect(staysInPeriod(booking("cancelled", "2026-12-02 14:00:00", "2026-12-03 10:30:00"), period)).toBe(
      false,
    );
  });

  it("cannot tell for an unknown status or a datetime of another form", () => {
    expect(staysInPeriod(booking("other", "2026-12-02 14:00:00", "2026-12-03 10:30:00"), period)).toBeNull();
    expect(staysInPeriod(booking("confirmed", "2026-12-02", "2026-12-03"), period)).toBeNull();
  });
});

describe("recentAfter", () => {
  const read = [
    { bookingId: "1", modifiedAt: "2026-12-01 09:59:00" },
    { bookingId: "2", modifiedAt: "2026-12-01 09:40:00" },
    { bookingId: "3", modifiedAt: null },
    { bookingId: "4", modifiedAt: "2026-12-01 09:55:00" },
  ];
  const digests = new Map([
    ["1", "d1"],
    ["2", "d2"],
    ["3", "d3"],
  ]);

  it("keeps the bookings read in the overlap with their digests, and the recognised ones", () => {
    const recognised = [...recentByDigest([["d9", "9"]]).values()];
    expect(recentAfter("2026-12-01 09:49:00", read, digests, recognised)).toEqual([
      ["d9", "9"],
      ["d1", "1"],
    ]);
  });

  it("is undefined when nothing is in the overlap or no start is known", () => {
    expect(recentAfter("2026-12-01 10:00:00", read, digests, [])).toBeUndefined();
    expect(recentAfter(undefined, read, digests, [])).toBeUndefined();
  });
});
