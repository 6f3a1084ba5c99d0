import type { Logger } from "../logger";
import type { AlertRow } from "./store";

export interface AlertNotifierOptions {
  logger: Logger;
  /** Slack-compatible incoming webhook; alerts are only logged when absent. */
  webhookUrl?: string;
  timeoutMs?: number;
}

export type AlertEvent = "opened" | "resolved";

export interface AlertNotifier {
  notify(event: AlertEvent, alert: AlertRow): Promise<void>;
}

function webhookText(event: AlertEvent, alert: AlertRow): string {
  const icon =
    event === "resolved"
      ? ":white_check_mark:"
      : alert.severity === "critical"
        ? ":rotating_light:"
        : ":warning:";
  const verb = event === "resolved" ? "Resolved" : alert.severity === "critical" ? "CRITICAL" : "Warning";
  return `${icon} ${verb} — kitchen ${alert.kitchenId}, ${alert.kind.replace(/_/g, " ")}: ${alert.message}`;
}

/** The JSON posted to the webhook: Slack reads `text`; other receivers can use the structured `alert`. */
export function webhookPayload(event: AlertEvent, alert: AlertRow): Record<string, unknown> {
  return {
    text: webhookText(event, alert),
    event,
    alert: {
      id: alert.id,
      kitchen_id: alert.kitchenId,
      kind: alert.kind,
      severity: alert.severity,
      state: alert.state,
      message: alert.message,
      details: alert.details,
      opened_at: alert.openedAt.toISOString(),
      resolved_at: alert.resolvedAt?.toISOString() ?? null,
    },
  };
}

/**
 * Logs every alert event (critical alerts at level "crit") and posts it to the webhook. A webhook
 * failure is logged and swallowed: alerting must never fail the sync that triggered it.
 */
export function createAlertNotifier(options: AlertNotifierOptions): AlertNotifier {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    async notify(event, alert) {
      const level = event === "resolved" ? "info" : alert.severity === "critical" ? "crit" : "warn";
      options.logger.log(level, `alert ${event}: ${alert.message}`, {
        alert_id: alert.id,
        kitchen_id: alert.kitchenId,
        alert_kind: alert.kind,
        severity: alert.severity,
      });
      if (!options.webhookUrl) return;
      try {
        const response = await fetch(options.webhookUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(webhookPayload(event, alert)),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      } catch (error) {
        options.logger.error("alert webhook failed", {
          alert_id: alert.id,
          kitchen_id: alert.kitchenId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}
