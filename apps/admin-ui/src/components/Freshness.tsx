import type { Freshness } from "@occ/api";
import { Link } from "react-router-dom";
import { useLive } from "../api/live";
import { useNow } from "../hooks/useNow";
import { freshnessNotice } from "../lib/freshness";
import { formatDateTime } from "../lib/time";
import { useSession } from "../session";

/** "As of 14:02 · Live" above every data view, and a banner when the figures may be out of date. */
export function FreshnessBar({ freshness }: { freshness: Freshness }) {
  const { timeZone } = useSession();
  const live = useLive();
  const notice = freshnessNotice(freshness, timeZone, useNow());
  return (
    <div className="freshness" data-testid="freshness" data-state={freshness.state}>
      <p className="freshness-line">
        <span
          data-testid="as-of"
          title={freshness.as_of ? formatDateTime(freshness.as_of, timeZone) : undefined}
        >
          {notice.asOf}
        </span>
        <span className={live ? "live-dot live-on" : "live-dot"} data-testid="live-state" data-live={live}>
          {live ? "Live" : "Refreshing every few seconds"}
        </span>
      </p>
      {notice.banner && (
        <p
          className={notice.banner.tone === "error" ? "error-box" : "warning-box"}
          role={notice.banner.tone === "error" ? "alert" : "status"}
          data-testid="freshness-banner"
        >
          {notice.banner.text}
          {notice.banner.link && (
            <>
              {" "}
              <Link to="/settings">Open settings</Link>
            </>
          )}
        </p>
      )}
    </div>
  );
}
