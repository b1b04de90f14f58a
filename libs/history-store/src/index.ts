export { bucketStartMs } from "./bucket-start.ts";
export { createEmbeddedStore, type EmbeddedStoreOptions } from "./embedded/embedded-store.ts";
export { InvalidHistoryInputError, StoreUnavailableError } from "./errors.ts";
export type { HistoryStoreLogger } from "./logger.ts";
export {
  bucketStartExpression,
  buildAggregationPipeline,
  buildMatchStage,
  DATE_TRUNC_REFERENCE_EPOCH_SECONDS,
} from "./mongo/aggregation-pipeline.ts";
export { createMongoStore, type MongoStoreOptions } from "./mongo/mongo-store.ts";
export type { MetricDocument } from "./mongo/sample-document.ts";
export { METRICS_COLLECTION, WORKER_TIME_INDEX } from "./mongo/time-series-collection.ts";
export { isTransientMongoError } from "./mongo/transient-error.ts";
export type { RetryPolicy } from "./mongo/with-retry.ts";
export {
  type AddSamplesResult,
  type AggregatedBucket,
  type AggregateOptions,
  EC2_STATUS_CODES,
  type Ec2StatusName,
  type GetSamplesOptions,
  METRIC_FIELDS,
  type MetricName,
  type MetricSample,
  type MetricStats,
  type SampleMeta,
  SOURCES,
  type Source,
  type StoredMetricSample,
  type StoreStats,
  TEXT_FIELDS,
  type TextFieldName,
  type WorkerMetricsStore,
} from "./types.ts";
