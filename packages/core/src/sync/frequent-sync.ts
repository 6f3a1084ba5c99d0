import { changeFeedFrom } from "./change-feed";
import { syncChanges } from "./changes-run";
import { freshRoomsTotal, mealMappingOf, openClient, requireConnection, type SyncContext } from "./context";
import {
  derivationInputs,
  type FrequentRun,
  type FrequentSyncInput,
  type SyncRunResult,
} from "./frequent-run";
import { recordRunCalls, startFrequentRun } from "./status";
import { syncWindow } from "./whole-read";
import { windowFrom } from "./window";

export { type FrequentSyncInput, type SyncRunResult, stayingPeriod } from "./frequent-run";

/**
 * The next-days sync of one kitchen: fetch everything first, then replace the window's data and record
 * the run in one transaction. Between whole reads (whole-read.ts) a run reads only Newbook's change feed
 * (changes-run.ts, change-feed.ts). Errors propagate unrecorded: the worker knows whether a retry follows
 * and records the failure with recordRunFailure.
 */
export async function runFrequentSync(ctx: SyncContext, input: FrequentSyncInput): Promise<SyncRunResult> {
  const now = ctx.now ?? (() => new Date());
  const startedAt = now();
  const { setup, today } = await startFrequentRun(ctx.db, {
    runId: input.runId,
    retryOf: input.retryOf,
    kitchenId: input.kitchenId,
    trigger: input.trigger,
    jobId: input.jobId,
    attempt: input.attempt,
    now: startedAt,
  });
  const window = windowFrom(today, setup.daysAhead);
  const connection = requireConnection(setup);
  const client = openClient(ctx, connection);
  try {
    const run: FrequentRun = {
      ctx,
      input,
      setup,
      window,
      client,
      connection,
      mealMapping: mealMappingOf(connection),
      startedAt,
      now,
    };
    // The stored rows came from the bookings and these inputs; while a sites_list refresh is due the room
    // count is unknown, so nothing stored can be built on.
    const knownRooms = freshRoomsTotal(connection, startedAt);
    const previous = setup.listingFingerprint;
    const current =
      previous !== null &&
      knownRooms !== null &&
      previous.inputs === derivationInputs(window, knownRooms, run.mealMapping, connection)
        ? previous
        : null;
    const fullReadMs = ctx.config.SYNC_FULL_READ_MINUTES * ctx.config.SYNC_MINUTE_MS;
    const feedFrom = changeFeedFrom(current, startedAt, fullReadMs);
    if (current && knownRooms !== null && feedFrom !== null) {
      const result = await syncChanges(run, current, knownRooms, feedFrom);
      if (result) return result;
    }
    return await syncWindow(run, previous, current !== null, fullReadMs > 0);
  } catch (error) {
    await recordRunCalls(ctx.db, input.runId, client.stats.totalCalls);
    throw error;
  } finally {
    client.close();
  }
}
