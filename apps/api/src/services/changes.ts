import { describeChangeSet, localDateIn } from "@occ/core";
import {
  type BookingChangeField,
  type BookingChangeKind,
  type BookingSnapshot,
  bookingChanges,
  type Db,
} from "@occ/db";
import { and, asc, desc, eq, gt, inArray, max } from "drizzle-orm";

/** How long the residents view marks a booking New / Changed / Cancelled. */
export const CHANGE_MARK_MS = 24 * 3_600_000;

type ChangeRow = typeof bookingChanges.$inferSelect;

export interface ChangeView {
  booking_id: string;
  kind: BookingChangeKind;
  room: string | null;
  guest_name: string | null;
  fields: BookingChangeField[];
  before: BookingSnapshot | null;
  after: BookingSnapshot | null;
}

export interface ChangeFeedEntry {
  run_id: string;
  synced_at: string;
  /** The change set in kitchen terms, one line per date and figure that moved. */
  summary: string[];
  changes: ChangeView[];
}

function changeView(row: ChangeRow): ChangeView {
  return {
    booking_id: row.bookingId,
    kind: row.kind,
    room: row.room,
    guest_name: row.guestName,
    fields: row.fields,
    before: row.before ?? null,
    after: row.after ?? null,
  };
}

/** The kitchen's last `limit` non-empty change sets, newest first (a sync that changed nothing has none). */
export async function changeFeed(
  db: Db,
  kitchen: { id: number; timezone: string },
  limit: number,
  now: Date,
): Promise<{ timezone: string; today: string; entries: ChangeFeedEntry[] }> {
  const today = localDateIn(kitchen.timezone, now);
  const runs = await db
    .select({ runId: bookingChanges.runId, syncedAt: max(bookingChanges.syncedAt) })
    .from(bookingChanges)
    .where(eq(bookingChanges.kitchenId, kitchen.id))
    .groupBy(bookingChanges.runId)
    .orderBy(desc(max(bookingChanges.syncedAt)))
    .limit(limit);
  if (runs.length === 0) return { timezone: kitchen.timezone, today, entries: [] };
  const rows = await db
    .select()
    .from(bookingChanges)
    .where(
      and(
        eq(bookingChanges.kitchenId, kitchen.id),
        inArray(
          bookingChanges.runId,
          runs.map((run) => run.runId),
        ),
      ),
    )
    .orderBy(asc(bookingChanges.id));
  const entries = runs.map((run) => {
    const changes = rows.filter((row) => row.runId === run.runId);
    return {
      run_id: run.runId,
      synced_at: (run.syncedAt ?? changes[0]!.syncedAt).toISOString(),
      summary: describeChangeSet(changes, today),
      changes: changes.map(changeView),
    };
  });
  return { timezone: kitchen.timezone, today, entries };
}

export type ChangeMarkKind = "new" | "changed" | "cancelled";

export interface ChangeMark {
  mark: ChangeMarkKind;
  at: Date;
  fields: BookingChangeField[];
  /** The booking as it was before it was cancelled, to keep its row on screen. */
  before: BookingSnapshot | null;
  guestName: string | null;
}

/**
 * Pure: each booking's mark from its changes of the last 24 h, oldest first. A cancellation is what
 * the kitchen must see last; a booking added and then edited is still new.
 */
export function foldChangeMarks(rows: readonly ChangeRow[]): Map<string, ChangeMark> {
  const marks = new Map<string, ChangeMark>();
  for (const row of rows) {
    const previous = marks.get(row.bookingId);
    const mark: ChangeMarkKind =
      row.kind === "cancelled"
        ? "cancelled"
        : row.kind === "added" || previous?.mark === "new"
          ? "new"
          : "changed";
    const fields = mark === "changed" ? [...new Set([...(previous?.fields ?? []), ...row.fields])] : [];
    marks.set(row.bookingId, {
      mark,
      at: row.syncedAt,
      fields,
      before: row.before ?? previous?.before ?? null,
      guestName: row.guestName ?? previous?.guestName ?? null,
    });
  }
  return marks;
}

export async function recentChangeMarks(
  db: Db,
  kitchenId: number,
  now: Date,
): Promise<Map<string, ChangeMark>> {
  const rows = await db
    .select()
    .from(bookingChanges)
    .where(
      and(
        eq(bookingChanges.kitchenId, kitchenId),
        gt(bookingChanges.syncedAt, new Date(now.getTime() - CHANGE_MARK_MS)),
      ),
    )
    .orderBy(asc(bookingChanges.syncedAt), asc(bookingChanges.id));
  return foldChangeMarks(rows);
}
