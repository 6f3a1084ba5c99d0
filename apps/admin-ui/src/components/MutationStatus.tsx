import type { ReactNode } from "react";
import { ApiError, errorMessage } from "../api/client";

interface MutationLike {
  isPending: boolean;
  isSuccess: boolean;
  isError: boolean;
  error: unknown;
}

/**
 * Pending, success and error of one mutation, announced to screen readers. Field-level validation
 * messages are shown next to their fields, so only the summary appears here.
 */
export function MutationStatus({
  mutation,
  pending = "Saving…",
  success = "Saved",
  testId,
}: {
  mutation: MutationLike;
  pending?: string;
  success?: string;
  testId?: string;
}) {
  let content: ReactNode = null;
  if (mutation.isPending) content = <span className="status-pending">{pending}</span>;
  else if (mutation.isError) content = <span className="status-error">{summary(mutation.error)}</span>;
  else if (mutation.isSuccess) content = <span className="status-success">{success}</span>;
  return (
    <span className="mutation-status" role="status" aria-live="polite" data-testid={testId}>
      {content}
    </span>
  );
}

function summary(error: unknown): string {
  if (error instanceof ApiError && error.details.length > 0)
    return "Not saved: see the message at the field.";
  return errorMessage(error);
}
