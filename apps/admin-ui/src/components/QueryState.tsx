import type { ReactNode } from "react";
import { ErrorNotice } from "./ErrorNotice";

/** Loading and error states of a query (the error with Retry); renders children once there is data. */
export function QueryState<T>({
  query,
  children,
  loading = "Loading…",
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  children: (data: T) => ReactNode;
  loading?: string;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) return <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />;
  return <p className="muted">{loading}</p>;
}
