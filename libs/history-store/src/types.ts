import {
  SOURCES as CONTRACT_SOURCES,
  type Source as ContractSource,
  HISTORY_METRICS,
  type HistoryMetric,
  type WorkerStatus,
} from "@cml-telemetry/contracts";

/** The telemetry sources a sample can come from (the contracts' list); also the order of sources in query results. */
export const SOURCES = CONTRACT_SOURCES;

/** A telemetry source: `ec2` (instance state), `cloudwatch` (CPU/memory), `cml` (the CML server itself). */
export type Source = ContractSource;

/**
 * The numeric fields of a sample, in a stable order: the contracts' history metrics, which queries name. These are
 * the metrics bucketed queries aggregate. `status` is the numeric EC2 state code from {@link EC2_STATUS_CODES}: its
 * min/max/count are meaningful (e.g. "was the worker ever not RUNNING in this hour"), its average is not.
 */
export const METRIC_FIELDS = HISTORY_METRICS;

/** One of {@link METRIC_FIELDS}. */
export type MetricName = HistoryMetric;

/** The textual fields of a sample (EC2 state name and status checks). */
export const TEXT_FIELDS = ["statusName", "instanceStatus", "systemStatus"] as const;

/** One of {@link TEXT_FIELDS}. */
export type TextFieldName = (typeof TEXT_FIELDS)[number];

/**
 * Stable numeric codes for the EC2 worker status (DESIGN §5), stored in `MetricSample.status`.
 * The numbering is part of the stored data: never renumber, only append new states after `UNKNOWN`.
 * (It is deliberately not AWS's own `InstanceState.Code`, which has no code for UNKNOWN.)
 */
export const EC2_STATUS_CODES = {
  PENDING: 0,
  RUNNING: 1,
  STOPPING: 2,
  STOPPED: 3,
  SHUTTING_DOWN: 4,
  TERMINATED: 5,
  UNKNOWN: 6,
} as const satisfies Record<WorkerStatus, number>;

/** An EC2 worker status name, a key of {@link EC2_STATUS_CODES}. */
export type Ec2StatusName = keyof typeof EC2_STATUS_CODES;

/** Where a sample belongs: the series key is `(workerId, source)`; `region` is carried along for display. */
export type SampleMeta = {
  workerId: string;
  region: string;
  source: Source;
};

/**
 * What a store returns: one observation of one source of one worker (DESIGN §6).
 * Absent fields are omitted (never `null`/`undefined`).
 */
export type StoredMetricSample = {
  /** When the source observed the values (the telemetry `observedAt` / `datapointAt`). */
  timestamp: Date;
  meta: SampleMeta;
  /** CloudWatch `CPUUtilization`, percent. */
  cpu?: number;
  /** CloudWatch memory utilisation (agent metric), percent. */
  memory?: number;
  labsCount?: number;
  runningLabsCount?: number;
  uptimeSeconds?: number;
  /** CPU usage as reported by CML, percent. */
  cpuPercent?: number;
  /** Memory usage as reported by CML, percent. */
  memoryUsedPercent?: number;
  /** Numeric EC2 status code, see {@link EC2_STATUS_CODES}. */
  status?: number;
  /** EC2 status name, e.g. `RUNNING`. */
  statusName?: string;
  /** EC2 instance status check: ok | impaired | insufficient-data | not-applicable | initializing. */
  instanceStatus?: string;
  /** EC2 system status check, same vocabulary as `instanceStatus`. */
  systemStatus?: string;
};

/**
 * What a store accepts: a {@link StoredMetricSample} plus the id of the telemetry event it came from.
 * The id is used for provenance and batch-level dedupe only; stores key observations by
 * `(workerId, source, timestamp)` and do not return the id.
 */
export type MetricSample = StoredMetricSample & {
  /** The CloudEvent id of the telemetry message this sample was derived from. */
  id: string;
};

/** Result of {@link WorkerMetricsStore.addSamples}. `inserted + duplicates === samples.length`. */
export type AddSamplesResult = {
  /** Samples stored as new observations. */
  inserted: number;
  /** Samples ignored because the same observation (worker, source, timestamp) is already stored or repeated in the batch. */
  duplicates: number;
};

/** Options of {@link WorkerMetricsStore.getSamples}. */
export type GetSamplesOptions = {
  /** Only these sources (default: all). An empty array matches nothing. */
  sources?: readonly Source[];
  /** At most this many samples, the oldest first (positive integer; default: no limit). */
  limit?: number;
};

/** Options of {@link WorkerMetricsStore.getAggregatedStats}. */
export type AggregateOptions = {
  /** Only these sources (default: all). An empty array matches nothing. */
  sources?: readonly Source[];
  /** Only these metrics (default: all of {@link METRIC_FIELDS}). */
  metrics?: readonly MetricName[];
};

/** Statistics of one metric in one bucket, over the samples that carry the metric. */
export type MetricStats = {
  /** Number of samples in the bucket that have a value for this metric (always >= 1). */
  count: number;
  avg: number;
  min: number;
  max: number;
};

/**
 * One time bucket of one source. Buckets are `[start, start + interval)` with
 * `start = floor(epochMs / intervalMs) * intervalMs` (aligned to the interval in UTC epoch time).
 */
export type AggregatedBucket = {
  start: Date;
  source: Source;
  /** Number of distinct samples of this source in the bucket (duplicates counted once). */
  count: number;
  /** Only metrics with at least one value in the bucket are present. */
  metrics: Partial<Record<MetricName, MetricStats>>;
};

/** Size of a store. */
export type StoreStats = {
  /**
   * Stored samples. Exact for the embedded store; for MongoDB the document count, which may include the rare
   * duplicate that concurrent writers let in (queries never count those twice).
   */
  samples: number;
  /**
   * Bytes used: the embedded store's own estimate of the memory it holds, storage + index size on disk for MongoDB;
   * null when the store cannot tell (a MongoDB-compatible deployment without `$collStats`).
   */
  bytes: number | null;
};

/**
 * The metric-history store (DESIGN §6). Implementations: {@link createEmbeddedStore} and {@link createMongoStore};
 * both pass the same contract suite (`@cml-telemetry/history-store/testing`).
 *
 * Duplicated deliveries never distort results: one observation (same worker, source and timestamp)
 * is stored and counted once however often it is added.
 */
export interface WorkerMetricsStore {
  /**
   * Store samples. Idempotent per observation.
   * @throws InvalidHistoryInputError when a sample is malformed (the batch is not stored).
   * @throws StoreUnavailableError when the backing database cannot be reached after retries (retry later).
   */
  addSamples(samples: readonly MetricSample[]): Promise<AddSamplesResult>;

  /**
   * Samples of one worker with `from <= timestamp < to`, ascending by timestamp, ties in {@link SOURCES} order.
   * @throws InvalidHistoryInputError when `from > to` or an option is invalid.
   */
  getSamples(workerId: string, from: Date, to: Date, opts?: GetSamplesOptions): Promise<StoredMetricSample[]>;

  /**
   * Per-source buckets of `intervalSeconds` over `[from, to)`, ascending by `start`, ties in {@link SOURCES} order.
   * Buckets without samples are omitted. The first bucket may start before `from` (alignment) but only
   * counts samples inside `[from, to)`.
   * @param intervalSeconds a positive integer.
   * @throws InvalidHistoryInputError when `from > to`, the interval or an option is invalid.
   */
  getAggregatedStats(
    workerId: string,
    from: Date,
    to: Date,
    intervalSeconds: number,
    opts?: AggregateOptions,
  ): Promise<AggregatedBucket[]>;

  /**
   * Apply the retention window relative to `now`. The embedded store removes samples older than
   * `now - retentionDays`; MongoDB expires documents itself (TTL) and this only verifies the TTL is set
   * (`removed` is then 0).
   */
  enforceRetention(now: Date): Promise<{ removed: number }>;

  /** Current size of the store. */
  stats(): Promise<StoreStats>;

  /** Release resources (a MongoDB client the store created itself is closed). */
  close(): Promise<void>;
}
