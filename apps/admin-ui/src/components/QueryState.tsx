import type { ReactNode } from "react";
import { errorMessage } from "../api/client";

/** Loading and error states of a query; renders children once there is data. */
export function QueryState<T>({
  query,
  children,
  loading = "Loading…",
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean };
  children: (data: T) => ReactNode;
  loading?: string;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) {
    return (
      <p className="status-error" role="alert">
        {errorMessage(query.error)}
      </p>
    );
  }
  return <p className="muted">{loading}</p>;
}
