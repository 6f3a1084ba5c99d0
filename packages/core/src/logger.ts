import winston from "winston";
import { redact } from "./redact";

export type Logger = winston.Logger;

export interface LoggerOptions {
  level?: string;
  format?: "json" | "pretty";
  service: string;
  /** Write here instead of the console (tests capture log lines with it). */
  stream?: NodeJS.WritableStream;
}

// Runs before any output format, so no transport can ever see a secret.
const redactFormat = winston.format((info) => {
  const cleaned = redact({ ...info }) as Record<string, unknown>;
  for (const key of Object.keys(cleaned)) (info as Record<string, unknown>)[key] = cleaned[key];
  return info;
});

export function createLogger(options: LoggerOptions): Logger {
  // winston runs every message through the formats (redaction, JSON) and only then lets its transports
  // drop those below their level: a debug line on a hot path cost a sync more than its SQL statement.
  // Messages the logger's level leaves out are dropped first (no transport here has a level of its own).
  const enabled = winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false));
  const output =
    options.format === "pretty"
      ? winston.format.combine(
          winston.format.colorize(),
          winston.format.printf(({ timestamp, level, message, service, ...rest }) => {
            const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : "";
            return `${String(timestamp)} ${level} [${String(service)}] ${String(message)}${extra}`;
          }),
        )
      : winston.format.json();
  const transports: winston.transport[] = [
    new winston.transports.Console({ stderrLevels: ["error", "crit"] }),
  ];
  if (options.stream) transports.push(new winston.transports.Stream({ stream: options.stream }));
  const logger = winston.createLogger({
    level: options.level ?? "info",
    // syslog-like levels plus "crit" for alerts, which the plan asks to log at critical.
    levels: { crit: 0, error: 1, warn: 2, info: 3, http: 4, verbose: 5, debug: 6, silly: 7 },
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      enabled(),
      winston.format.errors({ stack: true }),
      redactFormat(),
      winston.format.timestamp(),
      output,
    ),
    transports,
  });
  return logger;
}
