import type { Document } from "mongodb";
import type { AggregateOptions, MetricName, Source } from "../types.ts";
import { SOURCES } from "../types.ts";
import { resolveAggregateOptions, validateInterval, validateRange } from "../validate-input.ts";

/**
 * `$dateTrunc` with `unit: "second"` and `binSize: N` aligns bins to 2000-01-01T00:00:00Z (this many seconds after
 * the epoch), not to the epoch. 946684800 = 10957 days, so both alignments agree exactly when N divides it —
 * every interval dividing one day (60, 300, 900, 3600, 21600, 86400, …).
 */
export const DATE_TRUNC_REFERENCE_EPOCH_SECONDS = 946_684_800;

/**
 * Expression for the start of the bucket holding `dateExpression`, aligned to the interval in UTC epoch time
 * (`floor(t / interval) * interval`, like the embedded store). Uses `$dateTrunc` (second, binSize = interval)
 * when its 2000-01-01 reference gives the same bins; otherwise (e.g. 7-day or 7-minute intervals) the exact
 * epoch arithmetic `t - (t mod interval)`.
 */
export function bucketStartExpression(dateExpression: string, intervalSeconds: number): Document {
  validateInterval(intervalSeconds);
  if (DATE_TRUNC_REFERENCE_EPOCH_SECONDS % intervalSeconds === 0) {
    return { $dateTrunc: { date: dateExpression, unit: "second", binSize: intervalSeconds } };
  }
  return { $subtract: [dateExpression, { $mod: [{ $toLong: dateExpression }, intervalSeconds * 1000] }] };
}

/** The `$match` stage selecting one worker's samples in `[from, to)`, optionally of some sources only. */
export function buildMatchStage(
  workerId: string,
  from: Date,
  to: Date,
  sources?: readonly Source[],
): Document {
  const match: Document = { "meta.workerId": workerId, timestamp: { $gte: from, $lt: to } };
  if (sources !== undefined) match["meta.source"] = { $in: [...sources] };
  return { $match: match };
}

const statField = (metric: MetricName, stat: "count" | "avg" | "min" | "max"): string => `${metric}__${stat}`;

/**
 * The aggregation behind `getAggregatedStats` for `worker_metrics_timeseries`; its output documents are exactly
 * the {@link AggregatedBucket}s (`{ start, source, count, metrics }`, empty metrics removed, ordered by start then
 * source in {@link SOURCES} order).
 *
 * Stages: `$match` on meta fields and time (bucket pruning) → `$group` by (source, timestamp) so a duplicated
 * delivery counts once → `$group` by (source, bucket start) with count/avg/min/max per metric → shape and sort.
 *
 * @example
 * const buckets = await collection.aggregate(buildAggregationPipeline(workerId, from, to, 3600)).toArray();
 */
export function buildAggregationPipeline(
  workerId: string,
  from: Date,
  to: Date,
  intervalSeconds: number,
  opts?: AggregateOptions,
): Document[] {
  validateRange(from, to);
  validateInterval(intervalSeconds);
  const { metrics } = resolveAggregateOptions(opts);
  const observation: Document = { _id: { source: "$meta.source", timestamp: "$timestamp" } };
  const bucket: Document = {
    _id: { source: "$_id.source", start: bucketStartExpression("$_id.timestamp", intervalSeconds) },
    count: { $sum: 1 },
  };
  const metricEntries: Document[] = [];
  for (const metric of metrics) {
    const value = `$${metric}`;
    observation[metric] = { $first: value };
    bucket[statField(metric, "count")] = { $sum: { $cond: [{ $isNumber: value }, 1, 0] } };
    bucket[statField(metric, "avg")] = { $avg: value };
    bucket[statField(metric, "min")] = { $min: value };
    bucket[statField(metric, "max")] = { $max: value };
    metricEntries.push({
      k: metric,
      v: {
        count: `$${statField(metric, "count")}`,
        avg: `$${statField(metric, "avg")}`,
        min: `$${statField(metric, "min")}`,
        max: `$${statField(metric, "max")}`,
      },
    });
  }
  return [
    buildMatchStage(workerId, from, to, opts?.sources),
    { $group: observation },
    { $group: bucket },
    {
      $project: {
        _id: 0,
        start: "$_id.start",
        source: "$_id.source",
        sourceRank: { $indexOfArray: [[...SOURCES], "$_id.source"] },
        count: 1,
        // Metrics without values are dropped via $filter + $arrayToObject rather than `$$REMOVE` inside a nested
        // object, which mingo (used to test this pipeline) keeps as an undefined field.
        metrics: {
          $arrayToObject: {
            $filter: { input: metricEntries, as: "metric", cond: { $gt: ["$$metric.v.count", 0] } },
          },
        },
      },
    },
    { $sort: { start: 1, sourceRank: 1 } },
    { $project: { sourceRank: 0 } },
  ];
}
