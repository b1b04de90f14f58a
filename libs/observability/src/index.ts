export { createHealth, type Health, type HealthCheckState, type HealthReport } from "./create-health.ts";
export {
  createLogger,
  type LogContext,
  type Logger,
  type LoggerOptions,
  REDACT_PATHS,
  REDACTED_LOG_VALUE,
  withContext,
} from "./create-logger.ts";
export { createMetrics, type Metrics, type MetricsOptions } from "./create-metrics.ts";
export {
  type ObservabilityServer,
  type ObservabilityServerOptions,
  startObservabilityServer,
} from "./observability-server.ts";
export { onShutdownSignals, type ShutdownLogger, type ShutdownOptions } from "./on-shutdown-signals.ts";
export {
  collectPrometheusText,
  createPrometheusReader,
  createSnapshotReader,
  PROMETHEUS_CONTENT_TYPE,
  type PrometheusTextOptions,
} from "./prometheus-text.ts";
