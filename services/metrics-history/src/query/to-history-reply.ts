import type { HistoryBucket, HistoryMetric, HistorySample } from "@cml-telemetry/contracts";
import {
  type AggregatedBucket,
  METRIC_FIELDS,
  type StoredMetricSample,
  TEXT_FIELDS,
} from "@cml-telemetry/history-store";

/** A stored sample as the query reply carries it: numeric fields under `values`, status strings under `labels`. */
export function toHistorySample(
  sample: StoredMetricSample,
  metrics: readonly HistoryMetric[] | undefined,
): HistorySample {
  const values: Record<string, number> = {};
  for (const field of metrics ?? METRIC_FIELDS) {
    const value = sample[field];
    if (value !== undefined) values[field] = value;
  }
  const labels: Record<string, string> = {};
  for (const field of TEXT_FIELDS) {
    const value = sample[field];
    if (value !== undefined) labels[field] = value;
  }
  const reply: HistorySample = {
    timestamp: sample.timestamp.toISOString(),
    source: sample.meta.source,
    region: sample.meta.region,
    values,
  };
  if (Object.keys(labels).length > 0) reply.labels = labels;
  return reply;
}

/** A store bucket as the query reply carries it. */
export function toHistoryBucket(bucket: AggregatedBucket): HistoryBucket {
  const metrics: HistoryBucket["metrics"] = {};
  for (const [name, stats] of Object.entries(bucket.metrics)) {
    if (stats !== undefined) metrics[name] = stats;
  }
  return { start: bucket.start.toISOString(), source: bucket.source, count: bucket.count, metrics };
}
