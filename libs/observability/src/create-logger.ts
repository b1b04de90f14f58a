import { type DestinationStream, type LevelWithSilent, type Logger, pino } from "pino";

/** Log paths whose values are replaced with `[redacted]` (secrets, credentials, connection strings). */
export const REDACT_PATHS: readonly string[] = [
  "password",
  "*.password",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "licenseKey",
  "*.licenseKey",
  "MONGODB_URI",
  "*.MONGODB_URI",
  "CML_PASSWORD",
  "*.CML_PASSWORD",
  "API_TOKENS",
  "*.API_TOKENS",
  "NATS_CREDS",
  "*.NATS_CREDS",
  "uri",
  "*.uri",
  "creds",
  "*.creds",
];

/** Placeholder written instead of a redacted value. */
export const REDACTED_LOG_VALUE = "[redacted]";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Service name, written as the `service` field of every line. */
  service: string;
  /** Minimum level (pino levels, `silent` disables logging). */
  level: LevelWithSilent;
  /** Where JSON lines go; defaults to stdout, written synchronously so nothing is lost on exit. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

/** Context fields that child loggers carry on every line. */
export interface LogContext {
  workerId?: string;
  correlationId?: string;
  source?: string;
}

export type { Logger };

/**
 * Structured JSON logger (pino) with a `service` base field, ISO timestamps and secret redaction.
 * @example const logger = createLogger({ service: "collector-ec2", level: config.LOG_LEVEL });
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: REDACTED_LOG_VALUE },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination(1),
  );
}

/**
 * Child logger carrying worker, correlation and source context; unset fields are left out.
 * @example withContext(logger, { workerId, correlationId, source: "cml" }).warn("probe failed")
 */
export function withContext(logger: Logger, context: LogContext): Logger {
  const bindings = Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined));
  return logger.child(bindings);
}
