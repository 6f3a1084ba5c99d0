import type { SyncRun } from "@occ/api";
import { runTone } from "../lib/syncBadge";
import { runWindowText } from "../lib/syncSettings";
import { formatDuration, formatLocalDate } from "../lib/time";
import { Badge } from "./Badge";
import { type Column, numeric, ScrollTable } from "./ScrollTable";
import { DateTime } from "./Time";

const COLUMNS: Column[] = [
  "Queued",
  "Kind",
  "Read",
  "Outcome",
  "Window",
  numeric("Duration"),
  numeric("Calls"),
  numeric("Bookings"),
  numeric("Rows changed"),
  "Error",
];

export function SyncRunsTable({ runs }: { runs: SyncRun[] }) {
  if (runs.length === 0) return <p className="muted">No runs match.</p>;
  return (
    <ScrollTable label="Sync runs" columns={COLUMNS} testId="sync-runs-table">
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-status={run.status}>
            <td className="nowrap">
              <DateTime iso={run.queued_at} />
            </td>
            <td>
              {run.kind}
              <span className="muted"> · {run.trigger}</span>
            </td>
            <td className="nowrap" data-testid="run-read" title={readTitle(run.read)}>
              {readText(run.read)}
            </td>
            <td>
              <Badge tone={runTone(run.status)}>{run.status}</Badge>
            </td>
            <td className="nowrap">
              {formatLocalDate(run.window_from)} → {formatLocalDate(run.window_to)}
              <span className="muted" data-testid="run-window-days">
                {" "}
                · {runWindowText(run)}
              </span>
            </td>
            <td className="num">{run.duration_ms === null ? "—" : formatDuration(run.duration_ms)}</td>
            <td className="num">{run.newbook_calls}</td>
            <td className="num">{run.bookings_fetched}</td>
            <td className="num">{run.rows_changed}</td>
            <td className="cell-error">{run.error_message}</td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/** What a run read from Newbook (see RUN_READS), as the history shows it. */
function readText(read: SyncRun["read"]): string {
  if (read === "changes") return "changes only";
  if (read === "whole") return "whole window";
  return "—";
}

function readTitle(read: SyncRun["read"]): string | undefined {
  if (read === "changes") return "Only the bookings Newbook changed since the last read";
  if (read === "whole") return "Every booking of the window, checked against what is stored";
  return undefined;
}
