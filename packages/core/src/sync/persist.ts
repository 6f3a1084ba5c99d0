import { bookingChanges, bookings, type Db, dailyOccupancy, type Tx } from "@occ/db";
import { and, eq, gt, isNull, lte, type SQL, type SQLChunk, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { NewbookBooking } from "../newbook/types";
import { addDays, dateRange, type LocalDate } from "../time";
import { touchedSpan } from "./affected-dates";
import { batches } from "./batches";
import { type BookingRow, bookingRow, rawDigestColumn, rowToStay } from "./booking-rows";
import { type BookingChange, computeChangeSet } from "./change-set";
import { type DailyCounts, type DailyFigures, deriveDailyFigures, type StayBooking } from "./derive";
import type { MealMapping } from "./meals";
import type { DateSpan } from "./window";

export interface WindowWrite {
  kitchenId: number;
  runId: string;
  /** Dates whose daily rows are recomputed, both included. */
  from: LocalDate;
  to: LocalDate;
  /**
   * The COMPLETE `staying` result for the nights from - 1 through to: the bookings read, and `known`,
   * the ones recognised by their raw digest as stored already (see knownBookings).
   */
  bookings: readonly NewbookBooking[];
  known?: readonly StayBooking[];
  /** The raw digest of each booking read, by booking id; absent: not known (stored as null). */
  rawDigests?: ReadonlyMap<string, string>;
  /**
   * When `known` came from a StoredSpan whose every booking was recognisable: its bookings not among
   * them. With `known` they are all the span's stored bookings, so the ones to replace or remove are
   * looked up by id instead of by the span less the known ones (whose ids would all be sent).
   */
  unseen?: readonly StayBooking[];
  /**
   * With `unseen`: the stored rows of the bookings read, as read before the write (StoredSpan.rows); the
   * write compares with them instead of selecting them again.
   */
  storedRows?: readonly StoredRow[];
  roomsAvailable: number | null;
  mealMapping: MealMapping;
  now: Date;
  /**
   * The dates whose figures are derived and written, within from .. to: the caller knows the others are
   * stored as they would be derived (affectedSpan). Absent: all of from .. to; null: none.
   */
  derive?: DateSpan | null;
  /**
   * Record the write's change set (booking_changes), given the window the previous sync covered
   * (null: this is the first sync, the baseline). Absent: not tracked (historical syncs rewrite the past).
   */
  changes?: { covered: DateSpan | null };
}

export interface WriteCounts {
  bookingsWritten: number;
  bookingsRemoved: number;
  dailyRowsWritten: number;
  /** Bookings in the recorded change set (0 when changes are not tracked). */
  bookingChanges: number;
  rowsChanged: number;
}

const COUNT_KEYS = [
  "roomsAvailable",
  "roomsOccupied",
  "adults",
  "children",
  "infants",
  "arrivals",
  "arrivalGuests",
  "departures",
  "departureGuests",
  "breakfastCovers",
  "dinnerCovers",
] as const satisfies readonly (keyof DailyCounts)[];

/**
 * Whether a booking falls in the span: what Newbook's `staying` list for the nights (from - 1 .. to)
 * returns. Built once per span: the day before `from` is computed once, not once per booking.
 */
function overlapsSpan(from: LocalDate, to: LocalDate) {
  const dayBefore = addDays(from, -1);
  return (row: { arrivalDate: LocalDate; departureDate: LocalDate }) =>
    row.arrivalDate <= to && row.departureDate > dayBefore;
}

function inSpan(kitchenId: number, from: LocalDate, to: LocalDate) {
  return and(
    eq(bookings.kitchenId, kitchenId),
    lte(bookings.arrivalDate, to),
    gt(bookings.departureDate, addDays(from, -1)),
  );
}

/** Columns written from a BookingRow, with their types for jsonb_to_recordset. */
const BOOKING_COLUMNS = [
  ["kitchenId", "integer"],
  ["newbookId", "text"],
  ["groupId", "text"],
  ["status", "text"],
  ["arrivalDate", "date"],
  ["departureDate", "date"],
  ["arrivalAt", "text"],
  ["departureAt", "text"],
  ["adults", "integer"],
  ["children", "integer"],
  ["infants", "integer"],
  ["siteId", "text"],
  ["siteName", "text"],
  ["categoryName", "text"],
  ["guestName", "text"],
  ["items", "jsonb"],
  ["groupName", "text"],
  ["eta", "text"],
  ["checkedInAt", "text"],
  ["guests", "jsonb"],
  ["kitchenNotes", "jsonb"],
  ["contentHash", "text"],
  ["rawDigest", "text"],
  ["lastSeenRunId", "uuid"],
] as const satisfies readonly (readonly [keyof BookingRow & keyof typeof bookings.$inferInsert, string])[];

const columnName = (key: (typeof BOOKING_COLUMNS)[number][0]) => sql.identifier(bookings[key].name);
const joined = (parts: SQLChunk[]) => sql.join(parts, sql`, `);

const dialect = new PgDialect();

/**
 * A fragment without parameters rendered to its text once, at load: the write statements run on every
 * changed sync, and building their column lists again each time cost more CPU than the rest of the query.
 */
function rendered(fragment: SQL): SQL {
  const query = dialect.sqlToQuery(fragment);
  if (query.params.length > 0) throw new Error("a rendered fragment cannot hold parameters");
  return sql.raw(query.sql);
}

/** The bookings upsert around its rows (see upsertBookings). */
const UPSERT_BOOKINGS = (() => {
  const targets = joined([...BOOKING_COLUMNS.map(([key]) => columnName(key)), sql.identifier("updated_at")]);
  const record = joined(BOOKING_COLUMNS.map(([key, type]) => sql`${sql.identifier(key)} ${sql.raw(type)}`));
  const values = joined(BOOKING_COLUMNS.map(([key]) => sql`r.${sql.identifier(key)}`));
  // Fresh content carries fresh personal data again: retention must look at the row anew.
  const updates = joined([
    ...[...BOOKING_COLUMNS.slice(2).map(([key]) => columnName(key)), sql.identifier("updated_at")].map(
      (column) => sql`${column} = excluded.${column}`,
    ),
    sql`${sql.identifier(bookings.personalDataPurgedAt.name)} = null`,
  ]);
  return {
    head: rendered(sql`insert into ${bookings} (${targets}) select ${values}, `),
    // between the timestamp and the rows
    from: rendered(sql`::timestamptz from jsonb_to_recordset(`),
    tail: rendered(sql`::jsonb) as r(${record})
      on conflict (kitchen_id, newbook_id) do update set ${updates}
      where ${bookings.contentHash} is distinct from excluded.content_hash
      returning 1`),
  };
})();

/**
 * The upsert of one batch of bookings, whose rows travel as a single jsonb parameter: far cheaper to build
 * and bind than thousands of placeholders. A row whose content hash is unchanged is not rewritten; rows
 * returned are rows written.
 */
function upsertBookings(batch: readonly BookingRow[], now: Date): SQL {
  const { head, from, tail } = UPSERT_BOOKINGS;
  return sql`${head}${now.toISOString()}${from}${JSON.stringify(batch)}${tail}`;
}

/** Only the raw digest: the row's content, its timestamps and its retention mark stay as they are. */
async function recordRawDigests(tx: Tx, kitchenId: number, rows: readonly BookingRow[]): Promise<void> {
  for (const batch of batches(rows, 2_000)) {
    const digests = batch.map(({ newbookId, rawDigest }) => ({ newbookId, rawDigest }));
    await tx.execute(sql`
      update ${bookings} set ${sql.identifier(bookings.rawDigest.name)} = r."rawDigest"
      from jsonb_to_recordset(${JSON.stringify(digests)}::jsonb) as r("newbookId" text, "rawDigest" text)
      where ${bookings.kitchenId} = ${kitchenId} and ${bookings.newbookId} = r."newbookId"`);
  }
}

/** Everything a window write needs, computed before the transaction so it stays short. */
export interface PreparedWindow {
  kitchenId: number;
  runId: string;
  from: LocalDate;
  to: LocalDate;
  now: Date;
  /** The fetched bookings as rows, by Newbook id. */
  rows: ReadonlyMap<string, BookingRow>;
  /** Ids of the fetched bookings recognised as stored already (WindowWrite.known): nothing to write. */
  known: ReadonlySet<string>;
  /** Ids of the span's stored bookings neither known nor read, when the caller knows them (WindowWrite.unseen). */
  unseen: readonly string[] | null;
  /** WindowWrite.storedRows, when given with `unseen`. */
  storedRows: readonly StoredRow[] | null;
  /** The figures of the dates to write (WindowWrite.derive). */
  figures: DailyFigures[];
  mealMapping: MealMapping;
  changes: { covered: DateSpan | null } | null;
}

/**
 * Pure: the rows to store and the figures they give. Once written, the span's stored bookings are exactly
 * the fetched ones overlapping it (every other one in the span is removed, every fetched one holds the
 * fetched content, hash for hash), so deriving from them is deriving from what is stored.
 */
export function prepareWindow(input: WindowWrite): PreparedWindow {
  // Last one wins if paging returned a booking twice (the book changed between pages).
  const rows = new Map<string, BookingRow>();
  for (const booking of input.bookings) {
    const rawDigest = input.rawDigests?.get(booking.bookingId) ?? null;
    rows.set(booking.bookingId, bookingRow(input.kitchenId, booking, input.runId, rawDigest));
  }
  const inSpan = overlapsSpan(input.from, input.to);
  const stays = [...rows.values()].filter(inSpan).map(rowToStay);
  const known = input.known ?? [];
  // A known booking's stored row holds exactly what reading it again would give.
  for (const stay of known) if (inSpan(stay)) stays.push(stay);
  const span = input.derive === undefined ? { from: input.from, to: input.to } : input.derive;
  // Deriving some dates: only the bookings that reach one of them count (touchedSpan), and most do not.
  const reaching =
    span && input.derive !== undefined
      ? stays.filter((stay) => {
          const touched = touchedSpan(stay);
          return touched.from <= span.to && touched.to >= span.from;
        })
      : stays;
  const figures = deriveDailyFigures(reaching, span ? dateRange(span.from, span.to) : [], {
    roomsAvailable: input.roomsAvailable,
    mealMapping: input.mealMapping,
  });
  const { kitchenId, runId, from, to, now, mealMapping } = input;
  return {
    kitchenId,
    runId,
    from,
    to,
    now,
    rows,
    known: new Set(known.map((stay) => stay.bookingId)),
    unseen: input.unseen ? input.unseen.filter(inSpan).map((stay) => stay.bookingId) : null,
    storedRows: input.unseen && input.storedRows ? input.storedRows : null,
    figures,
    mealMapping,
    changes: input.changes ?? null,
  };
}

/** The kitchen's stored bookings of a span (see knownBookings). */
export interface StoredSpan {
  /** By raw digest (of this derivation version), as the stays they derive; see knownBookings' `focus`. */
  byDigest: Map<string, StayBooking>;
  /** Recognisable stored bookings of the span: byDigest's size unless the load was focused. */
  recognised: number;
  /** Stored bookings of the span that cannot be recognised: no raw digest of this version, or purged. */
  others: number;
  /** With a focus: the stored rows of its ids, in the span or not (what writeWindow would select of them). */
  rows?: StoredRow[];
}

/** A stored booking as writeWindow compares it with what a run read: its row id, content and stay. */
export interface StoredRow {
  id: number;
  newbookId: string;
  contentHash: string;
  rawDigest: string | null;
  stay: StayBooking;
}

/**
 * What a run that changes a few bookings needs of the span in full: the stored versions of the bookings it
 * read (by Newbook id) and every stay that counts on one of `dates` (null: none), as those are all that
 * deriving those dates again reads (deriveDailyFigures).
 */
export interface SpanFocus {
  ids: readonly string[];
  dates: DateSpan | null;
}

/**
 * Whether a stored booking counts on a date of `dates`: it stays, arrives or departs on one, or an item of
 * it (a meal) falls on one or on the night before (breakfast is sold with the night before): touchedSpan
 * without the dates between an item and the stay, which no figure reads.
 */
function countsOn(dates: DateSpan): SQL {
  return sql`((${bookings.arrivalDate} <= ${dates.to} and ${bookings.departureDate} >= ${dates.from})
    or exists (select 1 from jsonb_array_elements(${bookings.items}) as e(item)
      where item->>'stayDate' between ${addDays(dates.from, -1)} and ${dates.to}))`;
}

/**
 * The kitchen's stored bookings staying a night from - 1 .. to, by raw digest (of this derivation
 * version), as the stays they derive: what the listing's unchanged bookings are recognised by. Rows whose
 * personal data retention purged no longer hold what was read, so they are read again; they and rows
 * without a digest are counted, as what a run changes cannot be told apart from them. `focus`: only its
 * stays are returned (the others are counted in `recognised`): a run from the change feed touches a few
 * dates, and reading and building every stay of the span was most of its cost.
 */
export async function knownBookings(
  db: Db,
  kitchenId: number,
  span: DateSpan,
  focus?: SpanFocus,
): Promise<StoredSpan> {
  const stamp = rawDigestColumn("");
  const recognisable = sql`(${isNull(bookings.personalDataPurgedAt)} and coalesce(starts_with(${bookings.rawDigest}, ${stamp}), false))`;
  const wanted = focus
    ? sql` and (${bookings.newbookId} = any(${sql.param([...focus.ids])}::text[])${focus.dates ? sql` or ${countsOn(focus.dates)}` : sql``})`
    : sql``;
  // One json value for all rows, each stay a positional array built by the database: a single JSON.parse
  // of half the bytes named objects take (keys repeated in every stay and item), and no driver row per
  // booking. Reading the stays this way once cost more than reading the bookings from Newbook's answer.
  // The focus's own rows come along, wherever they stay: the write then need not select them again.
  const readRows = focus
    ? sql`, (select coalesce(json_agg(json_build_array(${bookings.id}, ${bookings.contentHash}, json_build_array(${bookings.rawDigest}, ${STAY_TUPLE}))), '[]')
      from ${bookings} where ${bookings.kitchenId} = ${kitchenId} and ${bookings.newbookId} = any(${sql.param([...focus.ids])}::text[])) as rows`
    : sql``;
  const result = await db.execute(sql`
    select coalesce(json_agg(json_build_array(substr(${bookings.rawDigest}, ${stamp.length + 1}), ${STAY_TUPLE}))
      filter (where ${recognisable}${wanted}), '[]') as known,
      (count(*) filter (where ${recognisable}))::integer as recognised,
      (count(*) filter (where not ${recognisable}))::integer as others${readRows}
    from ${bookings}
    where ${inSpan(kitchenId, span.from, span.to)}`);
  const [row] = (
    result as unknown as {
      rows: Array<{ known: KnownTuple[]; recognised: number; others: number; rows?: RowTuple[] }>;
    }
  ).rows;
  const byDigest = new Map<string, StayBooking>();
  for (const tuple of row?.known ?? []) byDigest.set(tuple[0], stayOfTuple(tuple));
  const stored: StoredSpan = { byDigest, recognised: row?.recognised ?? 0, others: row?.others ?? 0 };
  if (focus) {
    stored.rows = (row?.rows ?? []).map(([id, contentHash, tuple]) => ({
      id,
      newbookId: tuple[1],
      contentHash,
      rawDigest: tuple[0],
      stay: stayOfTuple(tuple),
    }));
  }
  return stored;
}

/** What a stored booking derives as a StayBooking (rowToStay), selected as one. */
const STAY_SELECTION = {
  bookingId: bookings.newbookId,
  groupId: bookings.groupId,
  status: bookings.status,
  arrivalDate: bookings.arrivalDate,
  departureDate: bookings.departureDate,
  adults: bookings.adults,
  children: bookings.children,
  infants: bookings.infants,
  siteId: bookings.siteId,
  siteName: bookings.siteName,
  guestName: bookings.guestName,
  items: bookings.items,
} satisfies Record<keyof StayBooking, unknown>;

/** A stay as knownBookings receives it: its raw digest, then the fields in STAY_TUPLE's order. */
type KnownTuple = [
  rawDigest: string,
  bookingId: string,
  groupId: string | null,
  status: string,
  arrivalDate: string,
  departureDate: string,
  adults: number,
  children: number,
  infants: number,
  siteId: string | null,
  siteName: string | null,
  guestName: string | null,
  items: Array<[name: string, stayDate: string, glAccountId: string | null]>,
];

/** A stored row as knownBookings receives it: id, content hash, then its raw digest (as stored) and stay. */
type RowTuple = [id: number, contentHash: string, stay: KnownTuple];

/** A stored booking's stay as a positional json array (see KnownTuple); items as [name, stayDate, gl]. */
const STAY_TUPLE = rendered(sql`${joined(
  (
    [
      "bookingId",
      "groupId",
      "status",
      "arrivalDate",
      "departureDate",
      "adults",
      "children",
      "infants",
      "siteId",
      "siteName",
      "guestName",
    ] as const
  ).map((key) => STAY_SELECTION[key]),
)}, coalesce((select json_agg(json_build_array(item->>'name', item->>'stayDate', item->>'glAccountId') order by n)
    from jsonb_array_elements(${bookings.items}) with ordinality as e(item, n)), '[]')`);

function stayOfTuple(t: KnownTuple): StayBooking {
  const items = t[12];
  return {
    bookingId: t[1],
    groupId: t[2],
    status: t[3],
    arrivalDate: t[4],
    departureDate: t[5],
    adults: t[6],
    children: t[7],
    infants: t[8],
    siteId: t[9],
    siteName: t[10],
    guestName: t[11],
    items: items.map(([name, stayDate, glAccountId]) => ({ name, stayDate, glAccountId })),
  };
}

/** The booking_changes insert around its values (see recordChanges). */
const INSERT_CHANGES = (() => {
  const columns = [
    ["bookingId", "text"],
    ["kind", "text"],
    ["room", "text"],
    ["guestName", "text"],
    ["fields", "jsonb"],
    ["before", "jsonb"],
    ["after", "jsonb"],
    ["deltas", "jsonb"],
  ] as const satisfies readonly (readonly [keyof BookingChange, string])[];
  const names = joined(columns.map(([key]) => sql.identifier(bookingChanges[key].name)));
  return {
    head: rendered(sql`insert into ${bookingChanges} (${sql.identifier(bookingChanges.kitchenId.name)},
      ${sql.identifier(bookingChanges.runId.name)}, ${sql.identifier(bookingChanges.syncedAt.name)}, ${names})
      select `),
    // after the kitchen id; then come the run id, the time and the changes
    runId: rendered(sql`::integer, `),
    syncedAt: rendered(sql`::uuid, `),
    from: rendered(
      sql`::timestamptz, ${joined(columns.map(([key]) => sql`r.${sql.identifier(key)}`))} from jsonb_to_recordset(`,
    ),
    // A JSON null is SQL NULL there (before, after).
    tail: rendered(
      sql`::jsonb) as r(${joined(columns.map(([key, type]) => sql`${sql.identifier(key)} ${sql.raw(type)}`))}) returning 1`,
    ),
  };
})();

/** The insert of one batch of the change set, which goes into the run's transaction with the data it describes. */
function recordChanges(window: PreparedWindow, batch: readonly BookingChange[]): SQL {
  const { head, runId, syncedAt, from, tail } = INSERT_CHANGES;
  return sql`${head}${window.kitchenId}${runId}${window.runId}${syncedAt}${window.now.toISOString()}${from}${JSON.stringify(batch)}${tail}`;
}

/** What writeBookings compares of a stored row (StoredRow), selected as one. */
const STORED_ROW = {
  id: bookings.id,
  newbookId: bookings.newbookId,
  contentHash: bookings.contentHash,
  rawDigest: bookings.rawDigest,
  stay: STAY_SELECTION,
};

/**
 * Removes the span's bookings Newbook no longer returns and answers the changed and new ones, for
 * writeWindow to upsert, and when the window tracks changes, what that means for the kitchen (to record).
 */
async function writeBookings(
  tx: Tx,
  window: PreparedWindow,
): Promise<{ changed: BookingRow[]; removed: number; changes: readonly BookingChange[] }> {
  // The fetched bookings' stored rows and the span's other ones, but not those recognised as stored
  // already (window.known): nothing is written for them, and they are most of the span. Read with what
  // the change set needs of them (their stays), as only the rewritten and removed ones come back.
  const read = [...window.rows.keys()];
  const byIds = window.unseen ? new Set([...read, ...window.unseen]) : null;
  const candidates = byIds
    ? sql`${bookings.newbookId} = any(${sql.param([...byIds])}::text[])`
    : sql`(${bookings.newbookId} = any(${sql.param(read)}::text[]) or (${inSpan(window.kitchenId, window.from, window.to)} and not ${bookings.newbookId} = any(${sql.param([...window.known])}::text[])))`;
  // Read before the transaction with the span (a run from the change feed): not selected again.
  const stored: readonly StoredRow[] =
    byIds && window.storedRows
      ? window.storedRows.filter((row) => byIds.has(row.newbookId))
      : await tx
          .select(STORED_ROW)
          .from(bookings)
          .where(and(eq(bookings.kitchenId, window.kitchenId), candidates));
  const storedById = new Map(stored.map((row) => [row.newbookId, row]));
  const changed = [...window.rows.values()].filter(
    (row) => storedById.get(row.newbookId)?.contentHash !== row.contentHash,
  );
  // Same content from a raw booking not yet recorded (first read since the column came, or a change
  // in a field that is not stored): the digest alone is recorded, so the next run recognises it.
  const newDigests = [...window.rows.values()].filter((row) => {
    const storedRow = storedById.get(row.newbookId);
    return (
      row.rawDigest !== null &&
      storedRow !== undefined &&
      storedRow.contentHash === row.contentHash &&
      storedRow.rawDigest !== row.rawDigest
    );
  });
  const staleRows = stored.filter(
    (row) => !window.rows.has(row.newbookId) && !window.known.has(row.newbookId),
  );
  const stale = staleRows.map((row) => row.id);

  let changes: readonly BookingChange[] = [];
  if (window.changes) {
    const replaced = [...changed.filter((row) => storedById.has(row.newbookId)), ...staleRows];
    changes = computeChangeSet({
      from: window.from,
      to: window.to,
      stored: replaced.flatMap((row) => {
        const storedRow = storedById.get(row.newbookId);
        return storedRow ? [storedRow.stay] : [];
      }),
      fetched: changed.map(rowToStay),
      covered: window.changes.covered,
      mealMapping: window.mealMapping,
    });
  }

  if (newDigests.length > 0) await recordRawDigests(tx, window.kitchenId, newDigests);
  let removed = 0;
  for (const batch of batches(stale)) {
    const result = await tx
      .delete(bookings)
      .where(sql`${bookings.id} = any(${sql.param(batch)}::bigint[])`)
      .returning({ id: bookings.id });
    removed += result.length;
  }
  return { changed, removed, changes };
}

/** Columns of a daily row written from DailyFigures, with their types for jsonb_to_recordset. */
const DAILY_COLUMNS = [
  ["date", "date"],
  ...COUNT_KEYS.map((key) => [key, "integer"] as const),
  ["roomBreakdown", "jsonb"],
] as const satisfies readonly (readonly [keyof DailyFigures, string])[];

/** The daily rows upsert around its values (see writeDailyRows). */
const UPSERT_DAILY_ROWS = (() => {
  const column = (key: (typeof DAILY_COLUMNS)[number][0]) => sql.identifier(dailyOccupancy[key].name);
  const compared = DAILY_COLUMNS.slice(1).map(([key]) => column(key));
  const excluded = (name: SQLChunk) => sql`excluded.${name}`;
  const stored = (name: SQLChunk) => sql`${dailyOccupancy}.${name}`;
  // The keys are this module's constants, written as literals (a fragment rendered once has no parameters).
  const previousFigures = joined(
    COUNT_KEYS.map((key) => sql`${sql.raw(`'${key}'`)}, ${stored(column(key))}`),
  );
  return {
    head: rendered(sql`
      insert into ${dailyOccupancy} (${sql.identifier(dailyOccupancy.kitchenId.name)}, ${joined(DAILY_COLUMNS.map(([key]) => column(key)))},
        previous_figures, changed_at, source_run_id, fetched_at)
      select `),
    // after the kitchen id; a brand-new date has nothing to compare with, so it is not marked as changed
    // (the two nulls)
    values: rendered(
      sql`::integer, ${joined(DAILY_COLUMNS.map(([key]) => sql`r.${sql.identifier(key)}`))}, null, null, `,
    ),
    // then the run id, the time, the figures
    fetchedAt: rendered(sql`::uuid, `),
    from: rendered(sql`::timestamptz from jsonb_to_recordset(`),
    conflict: rendered(sql`::jsonb)
        as r(${joined(DAILY_COLUMNS.map(([key, type]) => sql`${sql.identifier(key)} ${sql.raw(type)}`))})
      on conflict (kitchen_id, date) do update set
        ${joined(compared.map((name) => sql`${name} = ${excluded(name)}`))},
        previous_figures = jsonb_build_object(${previousFigures}),
        changed_at = `),
    // then the time again
    tail: rendered(sql`::timestamptz,
        source_run_id = excluded.source_run_id,
        fetched_at = excluded.fetched_at
      where (${joined(compared.map(stored))}) is distinct from (${joined(compared.map(excluded))})
      returning 1`),
  };
})();

/**
 * The upsert of one batch of dates' figures: the database rewrites a stored row only when its figures
 * differ (jsonb equality ignores key order), keeping the replaced figures in previous_figures. Nothing is
 * read back: rows returned are the rows written. The figures travel as one jsonb parameter, as the
 * bookings do.
 */
function upsertDailyRows(window: PreparedWindow, batch: readonly DailyFigures[]): SQL {
  const { head, values, fetchedAt, from, conflict, tail } = UPSERT_DAILY_ROWS;
  const now = window.now.toISOString();
  return sql`${head}${window.kitchenId}${values}${window.runId}${fetchedAt}${now}${from}${JSON.stringify(batch)}${conflict}${now}${tail}`;
}

/** Stands for a batch that is not there: writes and returns nothing. */
const NO_ROWS = sql`select 1 where false`;

interface WindowWrites {
  bookings: readonly SQL[];
  daily: readonly SQL[];
  changes: readonly SQL[];
}

/**
 * Runs a batch of each list per statement, as data-modifying CTEs (each writes its own table): a changed
 * window's bookings, daily rows and change set cost one round trip, not three. Answers the rows each wrote.
 */
async function writeTogether(tx: Tx, writes: WindowWrites): Promise<Record<keyof WindowWrites, number>> {
  const written = { bookings: 0, daily: 0, changes: 0 };
  const statements = Math.max(writes.bookings.length, writes.daily.length, writes.changes.length);
  for (let i = 0; i < statements; i++) {
    const result = await tx.execute(sql`
      with b as (${writes.bookings[i] ?? NO_ROWS}), d as (${writes.daily[i] ?? NO_ROWS}),
        c as (${writes.changes[i] ?? NO_ROWS})
      select (select count(*) from b)::integer as bookings, (select count(*) from d)::integer as daily,
        (select count(*) from c)::integer as changes`);
    // node-postgres and PGlite both answer with `rows`.
    const [row] = (result as unknown as { rows: Array<typeof written> }).rows;
    written.bookings += row?.bookings ?? 0;
    written.daily += row?.daily ?? 0;
    written.changes += row?.changes ?? 0;
  }
  return written;
}

/**
 * Replaces what is stored for the span with a complete fetch and writes its daily rows. Runs inside the
 * caller's transaction; rows outside the span (earlier dates included) are never touched.
 */
export async function writeWindow(tx: Tx, window: PreparedWindow): Promise<WriteCounts> {
  const { changed, removed, changes } = await writeBookings(tx, window);
  const written = await writeTogether(tx, {
    bookings: batches(changed, 2_000).map((batch) => upsertBookings(batch, window.now)),
    daily: batches(window.figures).map((batch) => upsertDailyRows(window, batch)),
    changes: batches(changes).map((batch) => recordChanges(window, batch)),
  });
  return {
    bookingsWritten: written.bookings,
    bookingsRemoved: removed,
    dailyRowsWritten: written.daily,
    bookingChanges: written.changes,
    rowsChanged: written.bookings + removed + written.daily,
  };
}
