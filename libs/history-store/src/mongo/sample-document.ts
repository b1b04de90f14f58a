import { METRIC_FIELDS, type MetricSample, type StoredMetricSample, TEXT_FIELDS } from "../types.ts";

/** A document of `worker_metrics_timeseries`: the stored sample shape itself (DESIGN §6), absent fields omitted. */
export type MetricDocument = StoredMetricSample;

/** The document stored for a sample (the event id is not persisted: observations are keyed by worker, source, time). */
export function toMetricDocument(sample: MetricSample): MetricDocument {
  const document: MetricDocument = {
    timestamp: sample.timestamp,
    meta: { workerId: sample.meta.workerId, region: sample.meta.region, source: sample.meta.source },
  };
  for (const field of METRIC_FIELDS) {
    const value = sample[field];
    if (value !== undefined) document[field] = value;
  }
  for (const field of TEXT_FIELDS) {
    const value = sample[field];
    if (value !== undefined) document[field] = value;
  }
  return document;
}

/** The sample read back from a stored document, keeping only the known fields. */
export function fromMetricDocument(document: MetricDocument): StoredMetricSample {
  const sample: StoredMetricSample = {
    timestamp: document.timestamp,
    meta: { workerId: document.meta.workerId, region: document.meta.region, source: document.meta.source },
  };
  for (const field of METRIC_FIELDS) {
    const value = document[field];
    if (typeof value === "number") sample[field] = value;
  }
  for (const field of TEXT_FIELDS) {
    const value = document[field];
    if (typeof value === "string") sample[field] = value;
  }
  return sample;
}

/** Identity of one observation: the dedupe key shared by both stores' semantics. */
export function observationKey(workerId: string, source: string, timestamp: Date): string {
  return `${workerId}\u0000${source}\u0000${timestamp.getTime()}`;
}
