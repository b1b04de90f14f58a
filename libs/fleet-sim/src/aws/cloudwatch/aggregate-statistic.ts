import { AwsApiError } from "../aws-api-error.ts";

const SIMPLE_STATS = new Set(["Average", "Sum", "Minimum", "Maximum", "SampleCount"]);
const PERCENTILE = /^p(\d{1,2}(\.\d{1,2})?|100)$/;

/** Rejects statistics CloudWatch would not accept for `MetricStat.Stat`. */
export function assertStatistic(stat: string, index: number): void {
  if (SIMPLE_STATS.has(stat) || PERCENTILE.test(stat)) return;
  throw new AwsApiError(
    "InvalidParameterValue",
    `The value ${stat} for parameter MetricDataQueries.member.${index}.MetricStat.Stat is not supported.`,
  );
}

/** Aggregates the native values of one period bucket with a CloudWatch statistic. */
export function aggregateStatistic(stat: string, values: readonly number[]): number {
  switch (stat) {
    case "Sum":
      return round(values.reduce((sum, v) => sum + v, 0));
    case "Minimum":
      return Math.min(...values);
    case "Maximum":
      return Math.max(...values);
    case "SampleCount":
      return values.length;
    case "Average":
      return round(values.reduce((sum, v) => sum + v, 0) / values.length);
    default: {
      const sorted = [...values].sort((a, b) => a - b);
      const p = Number(stat.slice(1)) / 100;
      return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
    }
  }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
