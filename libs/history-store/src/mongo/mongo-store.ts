import { type Collection, type Document, MongoClient, MongoServerError } from "mongodb";
import { type HistoryStoreLogger, silentLogger } from "../logger.ts";
import { sourceRank } from "../order-results.ts";
import type {
  AggregatedBucket,
  AggregateOptions,
  GetSamplesOptions,
  MetricSample,
  Source,
  StoredMetricSample,
  WorkerMetricsStore,
} from "../types.ts";
import { resolveSampleOptions, validateRange, validateSample } from "../validate-input.ts";
import { validateRetentionDays } from "../validate-retention.ts";
import { buildAggregationPipeline, buildMatchStage } from "./aggregation-pipeline.ts";
import {
  fromMetricDocument,
  type MetricDocument,
  observationKey,
  toMetricDocument,
} from "./sample-document.ts";
import { ensureMetricsCollection, ensureRetentionTtl } from "./time-series-collection.ts";
import { isTransientMongoError } from "./transient-error.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from "./with-retry.ts";

/** Options of {@link createMongoStore}: a connection string (the store owns the client) or a client you own. */
export type MongoStoreOptions = (
  | { uri: string; client?: undefined }
  | { client: MongoClient; uri?: undefined }
) & {
  dbName: string;
  /** TTL of the time-series collection, in days (`expireAfterSeconds = retentionDays * 86400`). */
  retentionDays: number;
  logger?: HistoryStoreLogger;
  retry?: Partial<RetryPolicy>;
};

/** Samples checked for already-stored observations per query (keeps the `$or` filter small). */
const DEDUPE_CHECK_BATCH = 500;

/**
 * MongoDB metric history on the time-series collection `worker_metrics_timeseries`, created (or its TTL corrected)
 * on start.
 *
 * Time-series collections cannot enforce a unique key, so duplicates are handled twice: `addSamples` skips
 * observations already stored (same worker, source, timestamp), and every query groups by
 * (source, timestamp) first, so a duplicate that slips in (concurrent writers, a retried partial insert) never
 * changes samples, counts or averages. Transient failures are retried with backoff, then surface as
 * `StoreUnavailableError`.
 *
 * @example
 * const store = await createMongoStore({ uri: config.mongodbUri, dbName: "cml_telemetry", retentionDays: 30, logger });
 */
export async function createMongoStore(options: MongoStoreOptions): Promise<WorkerMetricsStore> {
  validateRetentionDays(options.retentionDays);
  const logger = options.logger ?? silentLogger;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const expireAfterSeconds = Math.round(options.retentionDays * 86_400);
  const ownsClient = options.client === undefined;
  const client = options.client ?? new MongoClient(options.uri as string);
  const retrying = <T>(operation: string, attempt: () => Promise<T>): Promise<T> =>
    withRetry(operation, attempt, isTransientMongoError, policy, logger);

  const db = client.db(options.dbName);
  let collection: Collection<MetricDocument>;
  try {
    if (ownsClient) await retrying("connect", () => client.connect());
    collection = await retrying("ensureCollection", () =>
      ensureMetricsCollection(db, expireAfterSeconds, logger),
    );
  } catch (error) {
    if (ownsClient) await client.close();
    throw error;
  }

  const findStoredKeys = async (documents: readonly MetricDocument[]): Promise<Set<string>> => {
    const timestampsBySeries = new Map<string, { workerId: string; source: Source; timestamps: Date[] }>();
    for (const document of documents) {
      const seriesKey = `${document.meta.workerId}\u0000${document.meta.source}`;
      const series = timestampsBySeries.get(seriesKey) ?? {
        workerId: document.meta.workerId,
        source: document.meta.source,
        timestamps: [],
      };
      series.timestamps.push(document.timestamp);
      timestampsBySeries.set(seriesKey, series);
    }
    const filter = {
      $or: [...timestampsBySeries.values()].map((series) => ({
        "meta.workerId": series.workerId,
        "meta.source": series.source,
        timestamp: { $in: series.timestamps },
      })),
    };
    const stored = await retrying("findStored", () =>
      collection.find(filter, { projection: { _id: 0, timestamp: 1, meta: 1 } }).toArray(),
    );
    return new Set(stored.map((doc) => observationKey(doc.meta.workerId, doc.meta.source, doc.timestamp)));
  };

  return {
    async addSamples(samples: readonly MetricSample[]) {
      for (const sample of samples) validateSample(sample);
      const unique = new Map<string, MetricDocument>();
      for (const sample of samples) {
        const key = observationKey(sample.meta.workerId, sample.meta.source, sample.timestamp);
        if (!unique.has(key)) unique.set(key, toMetricDocument(sample));
      }
      const candidates = [...unique.entries()];
      let inserted = 0;
      for (let offset = 0; offset < candidates.length; offset += DEDUPE_CHECK_BATCH) {
        const batch = candidates.slice(offset, offset + DEDUPE_CHECK_BATCH);
        const stored = await findStoredKeys(batch.map(([, document]) => document));
        const fresh = batch.filter(([key]) => !stored.has(key)).map(([, document]) => document);
        if (fresh.length === 0) continue;
        // Fresh objects per attempt: the driver adds `_id` to what it inserts.
        await retrying("insertMany", () =>
          collection.insertMany(
            fresh.map((document) => ({ ...document })),
            { ordered: false },
          ),
        );
        inserted += fresh.length;
      }
      return { inserted, duplicates: samples.length - inserted };
    },

    async getSamples(workerId: string, from: Date, to: Date, opts?: GetSamplesOptions) {
      validateRange(from, to);
      const { sources, limit } = resolveSampleOptions(opts);
      const { $match } = buildMatchStage(
        workerId,
        from,
        to,
        opts?.sources === undefined ? undefined : sources,
      );
      return retrying("getSamples", async () => {
        const cursor = collection.find($match as Document, {
          projection: { _id: 0 },
          sort: { timestamp: 1 },
        });
        const samples: StoredMetricSample[] = [];
        let sameTime: StoredMetricSample[] = [];
        const flushSameTime = (): void => {
          sameTime.sort((a, b) => sourceRank(a.meta.source) - sourceRank(b.meta.source));
          samples.push(...sameTime.slice(0, limit - samples.length));
          sameTime = [];
        };
        try {
          for await (const document of cursor) {
            const sample = fromMetricDocument(document);
            const time = sample.timestamp.getTime();
            if (sameTime.length > 0 && (sameTime[0] as StoredMetricSample).timestamp.getTime() !== time) {
              flushSameTime();
              if (samples.length >= limit) break;
            }
            // Duplicated deliveries share source and timestamp: keep the first.
            if (!sameTime.some((other) => other.meta.source === sample.meta.source)) sameTime.push(sample);
          }
          if (samples.length < limit) flushSameTime();
        } finally {
          await cursor.close();
        }
        return samples;
      });
    },

    async getAggregatedStats(
      workerId: string,
      from: Date,
      to: Date,
      intervalSeconds: number,
      opts?: AggregateOptions,
    ) {
      const pipeline = buildAggregationPipeline(workerId, from, to, intervalSeconds, opts);
      return retrying("getAggregatedStats", () =>
        collection.aggregate<AggregatedBucket>(pipeline, { allowDiskUse: true }).toArray(),
      );
    },

    async enforceRetention() {
      await retrying("enforceRetention", () => ensureRetentionTtl(db, expireAfterSeconds, logger));
      return { removed: 0 };
    },

    async stats() {
      const [samples, bytes] = await Promise.all([
        retrying("countDocuments", () => collection.countDocuments({})),
        retrying("collStats", () => storageBytes(collection)),
      ]);
      return { samples, bytes };
    },

    async close() {
      if (ownsClient) await client.close();
    },
  };
}

/** MongoDB's error code for a pipeline stage the server does not know. */
const UNRECOGNIZED_PIPELINE_STAGE = 40324;

/**
 * Storage plus index bytes of the collection from `$collStats`; null (unknown) on a deployment without that stage,
 * as some MongoDB-compatible services are.
 */
async function storageBytes(collection: Collection<MetricDocument>): Promise<number | null> {
  try {
    const [stats] = await collection
      .aggregate<{ storageStats?: { storageSize?: number; totalIndexSize?: number } }>([
        { $collStats: { storageStats: {} } },
      ])
      .toArray();
    return Number(stats?.storageStats?.storageSize ?? 0) + Number(stats?.storageStats?.totalIndexSize ?? 0);
  } catch (error) {
    if (error instanceof MongoServerError && error.code === UNRECOGNIZED_PIPELINE_STAGE) return null;
    throw error;
  }
}
