import { errorMessage, isRetryable } from "../api/client";

/**
 * A failed request as the reader sees it: what went wrong and, when asking again may help (offline, timed
 * out, a server error), a Retry button. Inline (a span) inside status lines, a paragraph on its own.
 */
export function ErrorNotice({
  error,
  onRetry,
  prefix,
  inline = false,
  testId,
}: {
  error: unknown;
  onRetry?: () => void;
  prefix?: string;
  inline?: boolean;
  testId?: string;
}) {
  const Tag = inline ? "span" : "p";
  return (
    <Tag className="error-notice" role="alert" data-testid={testId}>
      <span className="status-error">
        {prefix}
        {errorMessage(error)}
      </span>
      {onRetry && isRetryable(error) && (
        <button type="button" className="button-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </Tag>
  );
}
