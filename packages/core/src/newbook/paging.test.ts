import { NewbookProtocolError } from "./errors";
import { type ListingPage, type PagingOptions, readListing } from "./paging";

// The Newbook side is a list of ids that tests change between pages; the simulator-backed cases are in
// client.int.test.ts. These cover what the simulator cannot produce.

const ids = (count: number, from = 1) => Array.from({ length: count }, (_, i) => String(from + i));

interface FakeNewbook {
  rows: string[];
  /** Offsets in the order they were asked for. */
  asked: number[];
  /** Rows Newbook returns at most, whatever the limit. */
  serverCap: number;
  sendsTotal: boolean;
  /** Runs before the page at this offset is cut from `rows`. */
  beforePage: (offset: number) => void;
}

function fakeNewbook(rows: string[]): FakeNewbook {
  return { rows, asked: [], serverCap: Number.POSITIVE_INFINITY, sendsTotal: true, beforePage: () => {} };
}

function options(
  newbook: FakeNewbook,
  overrides: Partial<PagingOptions<string>> = {},
): PagingOptions<string> {
  const pageSize = overrides.pageSize ?? 10;
  return {
    action: "bookings_list",
    fetchPage: async (offset): Promise<ListingPage<string>> => {
      newbook.asked.push(offset);
      await Promise.resolve();
      newbook.beforePage(offset);
      return {
        rows: newbook.rows.slice(offset, offset + Math.min(pageSize, newbook.serverCap)),
        total: newbook.sendsTotal ? newbook.rows.length : null,
      };
    },
    keyOf: (row) => row,
    pageSize,
    maxPages: 100,
    concurrency: 4,
    ...overrides,
  };
}

describe("readListing", () => {
  it("reads in order to a short page when Newbook sends no data_total", async () => {
    const newbook = fakeNewbook(ids(35));
    newbook.sendsTotal = false;
    const listing = await readListing(options(newbook));
    expect(listing).toEqual({ rows: ids(35), totalMoved: false });
    expect(newbook.asked).toEqual([0, 10, 20, 30]);
  });

  it("reads in order when Newbook caps the page below pageSize", async () => {
    const newbook = fakeNewbook(ids(25));
    newbook.serverCap = 8;
    const listing = await readListing(options(newbook));
    expect(listing.rows).toEqual(ids(25));
    expect(newbook.asked).toEqual([0, 8, 16, 24]);
  });

  it("reads again in order when an addition and a removal leave data_total as it was", async () => {
    const newbook = fakeNewbook(ids(30));
    // Before page 20 is cut, id 0 arrives at the front and id 30 leaves: rows shift down, so page 20
    // repeats id 20 from page 10 and id 0 is on no page read; only the duplicate gives it away.
    newbook.beforePage = (offset) => {
      if (offset === 20 && newbook.asked.length === 3) newbook.rows = ["0", ...ids(29)];
    };
    const listing = await readListing(options(newbook, { concurrency: 2 }));
    expect(listing.totalMoved).toBe(true);
    expect(new Set(listing.rows)).toEqual(new Set(ids(30, 0)));
    expect(newbook.asked).toEqual([0, 10, 20, 0, 10, 20]);
  });

  it("fails once the pages data_total calls for pass maxPages, after reading up to the cap", async () => {
    const newbook = fakeNewbook(ids(95));
    const error = await readListing(options(newbook, { maxPages: 4 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewbookProtocolError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining("4 pages of 10") });
    expect(newbook.asked.sort((a, b) => a - b)).toEqual([0, 10, 20, 30]);
  });

  it("fails with the first failing page only once the pages in flight have settled", async () => {
    const newbook = fakeNewbook(ids(40));
    let releaseSlowPage = () => {};
    const slowPage = new Promise<void>((resolve) => {
      releaseSlowPage = resolve;
    });
    const base = options(newbook, { concurrency: 2 });
    const failure = new Error("page 10 failed");
    let settled = false;
    const listing = readListing({
      ...base,
      fetchPage: async (offset) => {
        if (offset === 10) throw failure;
        if (offset === 20) await slowPage;
        return base.fetchPage(offset);
      },
    }).finally(() => {
      settled = true;
    });
    listing.catch(() => {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    releaseSlowPage();
    await expect(listing).rejects.toBe(failure);
    // Page 30 was never started: the failure came first.
    expect(newbook.asked).toEqual([0, 20]);
  });
});
