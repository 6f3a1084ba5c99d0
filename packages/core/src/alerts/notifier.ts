import type { Logger } from "../logger";
import { postWebhook } from "../webhook";
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
  /** Many alerts of one kind that changed together: one log line and one webhook message. */
  notifySummary(event: AlertEvent, kind: string, alerts: readonly AlertRow[]): Promise<void>;
  /** A fleet-wide incident opened or resolved (one message, listing the kitchens). */
  notifyIncident(event: AlertEvent, incident: IncidentNotice): Promise<void>;
}

export interface IncidentNotice {
  id: number;
  kind: string;
  message: string;
  host: string;
  region: string;
  error_code: string;
  kitchens: Array<{ id: number; name: string }>;
  opened_at: string;
  resolved_at: string | null;
}

/** Enough names to act on; the count says how many more there are. */
const LISTED_KITCHENS = 30;

function listKitchens(items: ReadonlyArray<{ id: number; name?: string }>): string {
  const shown = items.slice(0, LISTED_KITCHENS).map((k) => (k.name ? `${k.name} (#${k.id})` : `#${k.id}`));
  const more = items.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

export function summaryPayload(
  event: AlertEvent,
  kind: string,
  alerts: readonly AlertRow[],
): Record<string, unknown> {
  const severity = alerts[0]?.severity ?? "warning";
  const icon =
    event === "resolved" ? ":white_check_mark:" : severity === "critical" ? ":rotating_light:" : ":warning:";
  const verb = event === "resolved" ? "Resolved" : severity === "critical" ? "CRITICAL" : "Warning";
  const kitchens = alerts.map((a) => ({ id: a.kitchenId }));
  return {
    text: `${icon} ${verb} — ${kind.replace(/_/g, " ")} for ${alerts.length} kitchens: ${listKitchens(kitchens)}`,
    event,
    summary: {
      kind,
      severity,
      count: alerts.length,
      kitchen_ids: alerts.slice(0, 500).map((a) => a.kitchenId),
    },
  };
}

export function incidentPayload(event: AlertEvent, incident: IncidentNotice): Record<string, unknown> {
  const text =
    event === "resolved"
      ? `:white_check_mark: Resolved — Newbook outage #${incident.id} (${incident.host}, region ${incident.region}): all ${incident.kitchens.length} kitchens sync again`
      : `:rotating_light: Newbook outage #${incident.id} — ${incident.message}. ${incident.kitchens.length} kitchens affected: ${listKitchens(incident.kitchens)}`;
  return { text, event, incident };
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

/** Alerting must never fail the sync that triggered it: a webhook failure is logged and swallowed. */
async function notifyWebhook(
  options: AlertNotifierOptions,
  timeoutMs: number,
  payload: Record<string, unknown>,
  logFields: Record<string, unknown>,
): Promise<void> {
  if (!options.webhookUrl) return;
  try {
    await postWebhook(options.webhookUrl, payload, timeoutMs);
  } catch (error) {
    options.logger.error("alert webhook failed", {
      ...logFields,
      error: error instanceof Error ? error.message : String(error),
    });
  }
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
      await notifyWebhook(options, timeoutMs, webhookPayload(event, alert), {
        alert_id: alert.id,
        kitchen_id: alert.kitchenId,
      });
    },
    async notifySummary(event, kind, alerts) {
      if (alerts.length === 0) return;
      if (alerts.length === 1) return this.notify(event, alerts[0]!);
      const level = event === "resolved" ? "info" : alerts[0]!.severity === "critical" ? "crit" : "warn";
      options.logger.log(level, `alerts ${event}: ${kind.replace(/_/g, " ")} for ${alerts.length} kitchens`, {
        alert_kind: kind,
        count: alerts.length,
      });
      await notifyWebhook(options, timeoutMs, summaryPayload(event, kind, alerts), {
        alert_kind: kind,
        count: alerts.length,
      });
    },
    async notifyIncident(event, incident) {
      options.logger.log(event === "resolved" ? "info" : "crit", `incident ${event}: ${incident.message}`, {
        incident_id: incident.id,
        incident_kind: incident.kind,
        kitchens: incident.kitchens.length,
      });
      await notifyWebhook(options, timeoutMs, incidentPayload(event, incident), { incident_id: incident.id });
    },
  };
}
