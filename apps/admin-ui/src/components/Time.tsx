import { useNow } from "../hooks/useNow";
import { formatDateTime, formatRelative } from "../lib/time";
import { useSession } from "../session";

/** "3 min ago", with the exact time in the kitchen's zone on hover. */
export function RelativeTime({ iso, fallback = "never" }: { iso: string | null; fallback?: string }) {
  const now = useNow();
  const { timeZone } = useSession();
  if (!iso) return <span className="muted">{fallback}</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso, timeZone)}>
      {formatRelative(iso, now)}
    </time>
  );
}

/** The exact time in the kitchen's zone. */
export function DateTime({ iso, fallback = "—" }: { iso: string | null; fallback?: string }) {
  const { timeZone } = useSession();
  if (!iso) return <span className="muted">{fallback}</span>;
  return <time dateTime={iso}>{formatDateTime(iso, timeZone)}</time>;
}
