export { startDurableTelemetryIngest } from "./ingest/durable-telemetry-ingest.ts";
export { startReplayTelemetryIngest } from "./ingest/replay-telemetry-ingest.ts";
export type { IngestProgress, TelemetryIngest } from "./ingest/telemetry-ingest.ts";
export { telemetryToSample } from "./ingest/telemetry-to-sample.ts";
export { type TelemetryBatchResult, writeTelemetryBatch } from "./ingest/write-telemetry-batch.ts";
export { createHistoryMetrics, type HistoryMetrics } from "./metrics/history-metrics.ts";
export { answerHistoryQuery } from "./query/answer-history-query.ts";
export { HISTORY_QUERY_QUEUE, serveHistoryQueries } from "./query/serve-history-queries.ts";
export { RETENTION_JOB_NAME, startRetentionJob } from "./retention/retention-job.ts";
export {
  type HistoryStoreKind,
  type MetricsHistoryDeps,
  type MetricsHistoryService,
  startMetricsHistory,
} from "./start-metrics-history.ts";
