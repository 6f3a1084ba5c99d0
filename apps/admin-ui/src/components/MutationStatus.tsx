import type { ReactNode } from "react";
import { ApiError } from "../api/client";
import { ErrorNotice } from "./ErrorNotice";

interface MutationLike<V> {
  isPending: boolean;
  isSuccess: boolean;
  isError: boolean;
  error: unknown;
  /** With both, a failure that asking again may fix offers Retry (the same request once more). */
  variables?: V;
  mutate?: (variables: V) => void;
}

/**
 * Pending, success and error of one mutation, announced to screen readers. Field-level validation
 * messages are shown next to their fields, so only the summary appears here.
 */
export function MutationStatus<V>({
  mutation,
  pending = "Saving…",
  success = "Saved",
  testId,
}: {
  mutation: MutationLike<V>;
  pending?: string;
  success?: string;
  testId?: string;
}) {
  let content: ReactNode = null;
  const { mutate, variables } = mutation;
  if (mutation.isPending) content = <span className="status-pending">{pending}</span>;
  else if (mutation.isError)
    content =
      mutation.error instanceof ApiError && mutation.error.details.length > 0 ? (
        <span className="status-error">Not saved: see the message at the field.</span>
      ) : (
        <ErrorNotice
          inline
          error={mutation.error}
          onRetry={mutate ? () => mutate(variables as V) : undefined}
        />
      );
  else if (mutation.isSuccess) content = <span className="status-success">{success}</span>;
  return (
    <span className="mutation-status" role="status" aria-live="polite" data-testid={testId}>
      {content}
    </span>
  );
}
