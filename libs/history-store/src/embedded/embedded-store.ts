import { bucketStartMs } from "../bucket-start.ts";
import { compareByTimeThenSource } from "../order-results.ts";
import {
  type AggregatedBucket,
  type AggregateOptions,
  type GetSamplesOptions,
  METRIC_FIELDS,
  type MetricName,
  type MetricSample,
  type Source,
  type StoredMetricSample,
  TEXT_FIELDS,
  type WorkerMetricsStore,
} from "../types.ts";
import {
  resolveAggregateOptions,
  resolveSampleOptions,
  validateInstant,
  validateInterval,
  validateRange,
  validateSample,
} from "../validate-input.ts";
import { validateRetentionDays } from "../validate-retention.ts";
import { BucketAccumulator } from "./bucket-accumulator.ts";
import { MetricSeries } from "./metric-series.ts";
import type { SeriesChunk } from "./series-chunk.ts";
import { StringInterner } from "./string-interner.ts";

/** Options of {@link createEmbeddedStore}. */
export type EmbeddedStoreOptions = {
  /** Samples older than `now - retentionDays` are removed by `enforceRetention(now)`. */
  retentionDays: number;
};

const DAY_MS = 86_400_000;

/**
 * In-process metric history: one columnar series per `(workerId, source)` (typed-array chunks, absent values as
 * NaN, status strings interned), deduplicated by `(workerId, source, timestamp)`. Event ids are not kept.
 * Nothing is persisted: the service rebuilds it on start by replaying telemetry.
 *
 * @example
 * const store = createEmbeddedStore({ retentionDays: 30 });
 * await store.addSamples([{ id, timestamp, meta: { workerId, region, source: "cloudwatch" }, cpu: 12.5 }]);
 * const hourly = await store.getAggregatedStats(workerId, from, to, 3600);
 */
export function createEmbeddedStore(options: EmbeddedStoreOptions): WorkerMetricsStore {
  validateRetentionDays(options.retentionDays);
  const retentionMs = options.retentionDays * DAY_MS;
  const interner = new StringInterner();
  const workers = new Map<string, Map<Source, MetricSeries>>();
  let sampleCount = 0;
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error("the embedded history store is closed");
  };

  const seriesOf = (workerId: string, sources: readonly Source[]): MetricSeries[] => {
    const bySource = workers.get(workerId);
    if (bySource === undefined) return [];
    return sources.flatMap((source) => bySource.get(source) ?? []);
  };

  const seriesFor = (sample: MetricSample): MetricSeries => {
    const { workerId, source, region } = sample.meta;
    let bySource = workers.get(workerId);
    if (bySource === undefined) {
      bySource = new Map();
      workers.set(workerId, bySource);
    }
    let series = bySource.get(source);
    if (series === undefined) {
      series = new MetricSeries(workerId, source, region, interner);
      bySource.set(source, series);
    }
    return series;
  };

  const readSample = (series: MetricSeries, chunk: SeriesChunk, row: number): StoredMetricSample => {
    const sample: StoredMetricSample = {
      timestamp: new Date(chunk.timestamps[row] as number),
      meta: { workerId: series.workerId, region: series.region, source: series.source },
    };
    for (let i = 0; i < METRIC_FIELDS.length; i++) {
      const value = chunk.metrics[i]?.[row];
      if (value !== undefined && !Number.isNaN(value)) sample[METRIC_FIELDS[i] as MetricName] = value;
    }
    for (let i = 0; i < TEXT_FIELDS.length; i++) {
      const code = chunk.texts[i]?.[row];
      if (code) sample[TEXT_FIELDS[i] as (typeof TEXT_FIELDS)[number]] = interner.lookup(code);
    }
    return sample;
  };

  return {
    async addSamples(samples: readonly MetricSample[]) {
      assertOpen();
      for (const sample of samples) validateSample(sample);
      let inserted = 0;
      for (const sample of samples) {
        if (seriesFor(sample).insert(sample)) inserted++;
      }
      sampleCount += inserted;
      return { inserted, duplicates: samples.length - inserted };
    },

    async getSamples(workerId: string, from: Date, to: Date, opts?: GetSamplesOptions) {
      assertOpen();
      validateRange(from, to);
      const { sources, limit } = resolveSampleOptions(opts);
      const found: Array<{ time: number; source: Source; sample: StoredMetricSample }> = [];
      for (const series of seriesOf(workerId, sources)) {
        let taken = 0;
        series.forEachInRange(from.getTime(), to.getTime(), (chunk, row) => {
          found.push({
            time: chunk.timestamps[row] as number,
            source: series.source,
            sample: readSample(series, chunk, row),
          });
          return ++taken < limit;
        });
      }
      found.sort(compareByTimeThenSource);
      return found.slice(0, limit).map((entry) => entry.sample);
    },

    async getAggregatedStats(
      workerId: string,
      from: Date,
      to: Date,
      intervalSeconds: number,
      opts?: AggregateOptions,
    ) {
      assertOpen();
      validateRange(from, to);
      validateInterval(intervalSeconds);
      const { sources, metrics } = resolveAggregateOptions(opts);
      const metricIndexes = metrics.map((metric) => METRIC_FIELDS.indexOf(metric));
      const buckets: Array<AggregatedBucket & { time: number }> = [];
      for (const series of seriesOf(workerId, sources)) {
        const accumulator = new BucketAccumulator(metrics);
        let currentStart = Number.NaN;
        series.forEachInRange(from.getTime(), to.getTime(), (chunk, row) => {
          const start = bucketStartMs(chunk.timestamps[row] as number, intervalSeconds);
          if (start !== currentStart) {
            if (accumulator.count > 0) buckets.push(accumulator.flush(currentStart, series.source));
            currentStart = start;
          }
          accumulator.add(chunk, row, metricIndexes);
          return true;
        });
        if (accumulator.count > 0) buckets.push(accumulator.flush(currentStart, series.source));
      }
      buckets.sort(compareByTimeThenSource);
      return buckets.map(({ start, source, count, metrics: stats }) => ({
        start,
        source,
        count,
        metrics: stats,
      }));
    },

    async enforceRetention(now: Date) {
      assertOpen();
      validateInstant("now", now);
      const cutoffMs = now.getTime() - retentionMs;
      let removed = 0;
      for (const bySource of workers.values()) {
        for (const series of bySource.values()) removed += series.removeBefore(cutoffMs);
      }
      sampleCount -= removed;
      return { removed };
    },

    async stats() {
      assertOpen();
      let bytes = interner.bytes;
      for (const bySource of workers.values()) {
        for (const series of bySource.values()) bytes += series.bytes;
      }
      return { samples: sampleCount, bytes };
    },

    async close() {
      closed = true;
      workers.clear();
    },
  };
}
