import { envVar } from "./env-registry.ts";
import { envEnum, envInt } from "./env-types.ts";

/** Log levels accepted by `LOG_LEVEL` (pino's). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A log level accepted by `LOG_LEVEL`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The logging variable every service has. */
export const logEnv = {
  LOG_LEVEL: envVar(envEnum(LOG_LEVELS).default("info"), {
    description: `Minimum log level (${LOG_LEVELS.join(", ")}); logs are JSON lines on stdout.`,
  }),
} as const;

/**
 * Logging and self-metrics variables of a service with a self-metrics server; `metricsPort` is its default
 * `METRICS_PORT`. (The api has none: its `/metrics`, `/healthz` and `/readyz` are on `API_PORT`.)
 * @example z.object({ ...observabilityEnv(9464) })
 */
export function observabilityEnv(metricsPort: number) {
  return {
    ...logEnv,
    METRICS_PORT: envVar(envInt({ min: 0, max: 65_535 }).default(metricsPort), {
      description:
        "Port of the self-metrics HTTP server (`/metrics` Prometheus text, `/healthz`, `/readyz`); 0 disables it.",
    }),
  } as const;
}
