/**
 * A webhook that could not take a message: unreachable, too slow, or an error status. Its message says
 * which, never the URL (a Slack-style URL carries its token in the path).
 */
export class WebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookError";
  }
}

function reason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  // fetch's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND, ...) in its cause.
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string") return `unreachable (${cause.code})`;
  return "unreachable";
}

/**
 * POSTs one JSON message to a Slack-compatible incoming webhook (receivers read `text`). Resolves once the
 * receiver accepted it (2xx); throws WebhookError otherwise, so the caller decides: log it, or retry.
 */
export async function postWebhook(
  url: string,
  payload: Record<string, unknown>,
  timeoutMs: number,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new WebhookError(reason(error, timeoutMs));
  }
  // Read to the end so the connection can be reused; the answer itself means nothing to us.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new WebhookError(`HTTP ${response.status}`);
}
