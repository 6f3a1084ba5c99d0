import { NewbookProtocolError } from "./errors";

/** One page of an offset-paged Newbook listing. */
export interface ListingPage<T> {
  rows: T[];
  /** data_total: rows in the whole listing when this page was read; null when Newbook did not say. */
  total: number | null;
}

export interface PagingOptions<T> {
  /** Names the action in the runaway error. */
  action: string;
  /** One page (with its own rate-limit slot and retries); a rejection fails the whole listing. */
  fetchPage: (offset: number) => Promise<ListingPage<T>>;
  keyOf: (row: T) => string;
  pageSize: number;
  /** No pass over the listing reads more pages than this. */
  maxPages: number;
  /** Pages in flight at once after the first; 1 reads strictly in order. */
  concurrency: number;
  /** Told how many more pages data_total calls for, before any of them is requested. */
  beforePages?: (pages: number) => Promise<void>;
}

export interface Listing<T> {
  /** Every row seen, merged by key; a later read replaces an earlier one. */
  rows: T[];
  /** Bookings moved while paging (data_total changed or pages did not add up): read in order to the end. */
  totalMoved: boolean;
}

/**
 * Reads a whole listing. The first page tells data_total, so the other pages are known up front and are
 * read concurrently. That pass is trusted only if it is self-consistent: every page reported the same
 * data_total and the length it implies, and the rows add up to it. Otherwise bookings moved while the
 * pages were read, and as they were not read in order, rows may have slipped past in either direction:
 * the listing is read again in order (the sequential algorithm) and both passes are merged, so nothing
 * read in either pass is lost. Without data_total, or when Newbook sent fewer rows than asked for on
 * the first page, pages are read in order from the start.
 */
export async function readListing<T>(options: PagingOptions<T>): Promise<Listing<T>> {
  const merged = new Map<string, T>();
  const keep = (page: ListingPage<T>) => {
    for (const row of page.rows) merged.set(options.keyOf(row), row);
  };
  const result = (totalMoved: boolean): Listing<T> => ({ rows: [...merged.values()], totalMoved });

  const firstPass = new InOrderPass(options, keep);
  const first = await firstPass.next();
  if (firstPass.ended) return result(false);
  const plan = options.concurrency > 1 ? planPages(first, options) : null;
  if (plan === null) {
    await firstPass.toEnd();
    return result(firstPass.totalMoved);
  }

  await options.beforePages?.(plan.offsets.length);
  const pages = await fetchEach(plan.offsets, options.concurrency, options.fetchPage);
  // In offset order, whatever order they arrived in: a consistent pass lists like the in-order reader.
  for (const page of pages) keep(page);
  if (plan.capped) throw runawayError(options);
  if (isConsistent(plan, pages, merged.size)) return result(false);

  await new InOrderPass(options, keep).toEnd();
  return result(true);
}

interface PagePlan {
  total: number;
  pageSize: number;
  /** Offsets of the pages after the first. */
  offsets: number[];
  /** data_total needs more pages than maxPages: the plan stops at the cap. */
  capped: boolean;
}

/** The pages data_total calls for, when the first page was full (the server honours pageSize). */
function planPages<T>(first: ListingPage<T>, options: PagingOptions<T>): PagePlan | null {
  const { pageSize, maxPages } = options;
  if (first.total === null || first.rows.length !== pageSize) return null;
  const pagesNeeded = Math.ceil(first.total / pageSize);
  const pages = Math.min(pagesNeeded, maxPages);
  const offsets = Array.from({ length: pages - 1 }, (_, i) => (i + 1) * pageSize);
  return { total: first.total, pageSize, offsets, capped: pagesNeeded > maxPages };
}

function isConsistent<T>(plan: PagePlan, pages: ListingPage<T>[], distinctRows: number): boolean {
  const { total, pageSize, offsets } = plan;
  const shapesHold = pages.every(
    (page, i) => page.total === total && page.rows.length === Math.min(pageSize, total - (offsets[i] ?? 0)),
  );
  // Equal totals can hide an addition and a removal; when they shifted a row onto two pages, the
  // duplicate gives them away.
  return shapesHold && distinctRows === total;
}

/**
 * Fetches every offset with at most `concurrency` in flight. After a failure no further page is started;
 * the pages already in flight are waited for, so nothing of this listing is still running when it fails.
 */
async function fetchEach<T>(
  offsets: number[],
  concurrency: number,
  fetchPage: (offset: number) => Promise<ListingPage<T>>,
): Promise<ListingPage<T>[]> {
  const pages: ListingPage<T>[] = [];
  const failures: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (failures.length === 0 && next < offsets.length) {
      const index = next++;
      try {
        pages[index] = await fetchPage(offsets[index] ?? 0);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, offsets.length) }, worker));
  if (failures.length > 0) throw failures[0];
  return pages;
}

/**
 * Pages read one after another from offset 0. Rows added while paging land after the reader, so it
 * reaches them by going on to a short page once data_total has moved.
 */
class InOrderPass<T> {
  private offset = 0;
  private pagesRead = 0;
  private firstTotal: number | null = null;
  totalMoved = false;
  ended = false;

  constructor(
    private readonly options: PagingOptions<T>,
    private readonly keep: (page: ListingPage<T>) => void,
  ) {}

  async next(): Promise<ListingPage<T>> {
    if (this.pagesRead >= this.options.maxPages) throw runawayError(this.options);
    const page = await this.options.fetchPage(this.offset);
    this.pagesRead++;
    this.keep(page);
    this.offset += page.rows.length;
    if (page.total !== null) {
      this.firstTotal ??= page.total;
      if (page.total !== this.firstTotal) this.totalMoved = true;
    }
    this.ended = this.isLastPage(page);
    return page;
  }

  async toEnd(): Promise<void> {
    while (!this.ended) await this.next();
  }

  /**
   * data_total saves the empty trailing request when the count is an exact multiple of the page size,
   * but only while it holds still: once it moves, rows may have shifted between pages, so paging goes
   * on until a short page. A short page before data_total means Newbook capped the page size.
   */
  private isLastPage(page: ListingPage<T>): boolean {
    if (page.rows.length === 0) return true;
    const reachedTotal = page.total === null || this.offset >= page.total;
    if (page.rows.length < this.options.pageSize) return reachedTotal;
    return page.total !== null && reachedTotal && !this.totalMoved;
  }
}

function runawayError(
  options: Pick<PagingOptions<unknown>, "action" | "maxPages" | "pageSize">,
): NewbookProtocolError {
  return new NewbookProtocolError(
    options.action,
    `the listing did not end after ${options.maxPages} pages of ${options.pageSize}`,
    null,
    null,
    false,
  );
}
