import { InvalidHistoryInputError } from "./errors.ts";
import {
  type AggregateOptions,
  type GetSamplesOptions,
  METRIC_FIELDS,
  type MetricName,
  type MetricSample,
  SOURCES,
  type Source,
  TEXT_FIELDS,
} from "./types.ts";

const isValidDate = (value: unknown): value is Date =>
  value instanceof Date && !Number.isNaN(value.getTime());

/** Check a time range; throws {@link InvalidHistoryInputError} unless both are valid dates with `from <= to`. */
export function validateRange(from: Date, to: Date): void {
  if (!isValidDate(from) || !isValidDate(to)) {
    throw new InvalidHistoryInputError("`from` and `to` must be valid dates");
  }
  if (from.getTime() > to.getTime()) {
    throw new InvalidHistoryInputError(
      `\`from\` (${from.toISOString()}) is after \`to\` (${to.toISOString()})`,
    );
  }
}

/** Check that `value` is a valid date; `name` appears in the error. */
export function validateInstant(name: string, value: Date): void {
  if (!isValidDate(value)) throw new InvalidHistoryInputError(`\`${name}\` must be a valid date`);
}

/** Check a bucket interval: a positive integer number of seconds. */
export function validateInterval(intervalSeconds: number): void {
  if (!Number.isSafeInteger(intervalSeconds) || intervalSeconds <= 0) {
    throw new InvalidHistoryInputError(
      `interval must be a positive integer of seconds, got ${intervalSeconds}`,
    );
  }
}

/** Resolve the source filter, defaulting to all sources. */
export function resolveSources(sources: readonly Source[] | undefined): readonly Source[] {
  if (sources === undefined) return SOURCES;
  for (const source of sources) {
    if (!SOURCES.includes(source)) throw new InvalidHistoryInputError(`unknown source "${source}"`);
  }
  return sources;
}

/** Resolve the metric filter, defaulting to all metrics, in {@link METRIC_FIELDS} order. */
export function resolveMetrics(metrics: readonly MetricName[] | undefined): readonly MetricName[] {
  if (metrics === undefined) return METRIC_FIELDS;
  for (const metric of metrics) {
    if (!METRIC_FIELDS.includes(metric)) throw new InvalidHistoryInputError(`unknown metric "${metric}"`);
  }
  return METRIC_FIELDS.filter((metric) => metrics.includes(metric));
}

/** Check the options of `getSamples`; returns the resolved sources and limit (Infinity when unlimited). */
export function resolveSampleOptions(opts: GetSamplesOptions | undefined): {
  sources: readonly Source[];
  limit: number;
} {
  const limit = opts?.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit <= 0)) {
    throw new InvalidHistoryInputError(`limit must be a positive integer, got ${limit}`);
  }
  return { sources: resolveSources(opts?.sources), limit: limit ?? Number.POSITIVE_INFINITY };
}

/** Check the options of `getAggregatedStats`. */
export function resolveAggregateOptions(opts: AggregateOptions | undefined): {
  sources: readonly Source[];
  metrics: readonly MetricName[];
} {
  return { sources: resolveSources(opts?.sources), metrics: resolveMetrics(opts?.metrics) };
}

/** Check one sample before it is stored; throws {@link InvalidHistoryInputError} naming the sample id. */
export function validateSample(sample: MetricSample): void {
  const where = `sample ${JSON.stringify(sample.id)}`;
  if (!isValidDate(sample.timestamp))
    throw new InvalidHistoryInputError(`${where}: timestamp is not a valid date`);
  const meta = sample.meta;
  if (typeof meta?.workerId !== "string" || meta.workerId === "") {
    throw new InvalidHistoryInputError(`${where}: meta.workerId is required`);
  }
  if (typeof meta.region !== "string")
    throw new InvalidHistoryInputError(`${where}: meta.region is required`);
  if (!SOURCES.includes(meta.source)) {
    throw new InvalidHistoryInputError(`${where}: unknown source "${meta.source}"`);
  }
  for (const field of METRIC_FIELDS) {
    const value = sample[field];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
      throw new InvalidHistoryInputError(`${where}: ${field} must be a finite number, got ${value}`);
    }
  }
  for (const field of TEXT_FIELDS) {
    const value = sample[field];
    if (value !== undefined && typeof value !== "string") {
      throw new InvalidHistoryInputError(`${where}: ${field} must be a string`);
    }
  }
}
