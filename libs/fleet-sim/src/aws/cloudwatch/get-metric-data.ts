import {
  type Dimension,
  type MetricIdentity,
  nativeDatapoints,
  type PublishDelay,
  resolveSeries,
} from "../../model/metric-catalog.ts";
import { AwsApiError } from "../aws-api-error.ts";
import type { FailedResultStatus } from "../fault-injector.ts";
import { decodePagingToken, encodePagingToken } from "../paging-token.ts";
import { aggregateStatistic, assertStatistic } from "./aggregate-statistic.ts";
import {
  type CloudWatchRequest,
  isRecord,
  optionalString,
  requiredTimestamp,
  validationError,
} from "./cloudwatch-request.ts";

/** AWS's limit of queries in one GetMetricData call. */
export const MAX_METRIC_DATA_QUERIES = 500;

interface ParsedQuery {
  id: string;
  label: string | undefined;
  metric: MetricIdentity;
  period: number;
  stat: string;
  returnData: boolean;
}

interface MetricDataResult {
  Id: string;
  Label: string;
  Timestamps: number[];
  Values: number[];
  StatusCode: "Complete" | "PartialData" | FailedResultStatus;
  Messages?: Array<{ Code: string; Value: string }>;
}

/**
 * CloudWatch `GetMetricData` with MetricStat queries: at most 500 queries, datapoints per period bucket,
 * newest first by default (`ScanBy`), paged by `MaxDatapoints`/`NextToken` (at most `maxDatapointsPerCall` per call,
 * the result cut there is `PartialData`). A `result-status` fault gives a result `InternalError` or `Forbidden`.
 */
export function getMetricData({
  input,
  region,
  fleet,
  counters,
  faults,
}: CloudWatchRequest): Record<string, unknown> {
  const rawQueries = input.MetricDataQueries;
  if (rawQueries === undefined || rawQueries === null) {
    throw new AwsApiError("MissingParameter", "The parameter MetricDataQueries is required.");
  }
  if (!Array.isArray(rawQueries)) throw validationError("MetricDataQueries must be a list");
  if (rawQueries.length > MAX_METRIC_DATA_QUERIES) {
    throw new AwsApiError(
      "InvalidParameterValue",
      `The collection MetricDataQueries must not have a size greater than ${MAX_METRIC_DATA_QUERIES}.`,
    );
  }
  const start = requiredTimestamp(input, "StartTime");
  const end = requiredTimestamp(input, "EndTime");
  if (start >= end) throw validationError("The parameter StartTime must be less than the parameter EndTime.");
  const queries = rawQueries.map((raw, index) => parseQuery(raw, index + 1));
  assertUniqueIds(queries);
  counters.recordMetricQueries(region, queries.length);
  const scanBy = optionalString(input, "ScanBy") ?? "TimestampDescending";
  if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") {
    throw validationError(
      `Value '${scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`,
    );
  }
  const maxDatapoints = readMaxDatapoints(input.MaxDatapoints, fleet.realism.maxDatapointsPerCall);
  const token = optionalString(input, "NextToken");
  const position = token
    ? decodePagingToken("GetMetricData", token, "InvalidNextToken", ["q", "o"])
    : { q: 0, o: 0 };
  const nowSeconds = Math.floor(fleet.now() / 1000);
  const results: MetricDataResult[] = [];
  let budget = maxDatapoints;
  let nextToken: string | undefined;
  for (let q = position.q ?? 0; q < queries.length; q++) {
    const query = queries[q];
    if (!query?.returnData) continue;
    const offset = q === position.q ? (position.o ?? 0) : 0;
    const failed = faults.resultStatus(
      region,
      query.metric.MetricName,
      query.metric.Dimensions.find((d) => d.Name === "InstanceId")?.Value,
    );
    if (failed !== undefined) {
      results.push(failedResult(query, failed));
      continue;
    }
    const series = bucketed(query, region, fleet, start, end, nowSeconds, {
      lagSeconds: fleet.timings.metricLagSeconds,
      jitterSeconds: fleet.realism.metricLagJitterSeconds,
    });
    if (scanBy === "TimestampDescending") series.reverse();
    const take = Math.min(budget, series.length - offset);
    const slice = series.slice(offset, offset + Math.max(0, take));
    const partial = offset + slice.length < series.length;
    results.push({
      Id: query.id,
      Label: query.label ?? query.metric.MetricName,
      Timestamps: slice.map(([t]) => t),
      Values: slice.map(([, v]) => v),
      StatusCode: partial ? "PartialData" : "Complete",
    });
    budget -= slice.length;
    if (partial) {
      nextToken = encodePagingToken("GetMetricData", { q, o: offset + slice.length });
      break;
    }
  }
  return nextToken === undefined
    ? { MetricDataResults: results, Messages: [] }
    : { MetricDataResults: results, Messages: [], NextToken: nextToken };
}

function failedResult(query: ParsedQuery, status: FailedResultStatus): MetricDataResult {
  const message =
    status === "Forbidden"
      ? "You are not authorized to access the data of this metric."
      : "An internal error occurred while retrieving the data of this metric.";
  return {
    Id: query.id,
    Label: query.label ?? query.metric.MetricName,
    Timestamps: [],
    Values: [],
    StatusCode: status,
    Messages: [{ Code: status, Value: message }],
  };
}

function bucketed(
  query: ParsedQuery,
  region: string,
  fleet: CloudWatchRequest["fleet"],
  start: number,
  end: number,
  nowSeconds: number,
  delay: PublishDelay,
): Array<[number, number]> {
  const series = resolveSeries(fleet, region, query.metric);
  if (!series) return [];
  const alignedStart = Math.floor(start / query.period) * query.period;
  const points = nativeDatapoints(series, alignedStart, end, nowSeconds, delay);
  const buckets = new Map<number, number[]>();
  for (const point of points) {
    const bucket = Math.floor(point.timestamp / query.period) * query.period;
    const values = buckets.get(bucket);
    if (values) values.push(point.value);
    else buckets.set(bucket, [point.value]);
  }
  return [...buckets].map(([t, values]) => [t, aggregateStatistic(query.stat, values)]);
}

function parseQuery(raw: unknown, index: number): ParsedQuery {
  const at = `MetricDataQueries.member.${index}`;
  if (!isRecord(raw)) throw validationError(`${at} must be a structure`);
  const id = raw.Id;
  if (typeof id !== "string" || !/^[a-z][a-zA-Z0-9_]{0,254}$/.test(id)) {
    throw validationError(
      `The value ${String(id)} for parameter ${at}.Id is not valid. It must start with a lowercase letter and contain only letters, numbers and underscores.`,
    );
  }
  if (raw.Expression !== undefined) {
    throw new AwsApiError(
      "InvalidParameterValue",
      `${at}.Expression: metric math is not supported by the fleet simulator.`,
    );
  }
  const stat = raw.MetricStat;
  if (!isRecord(stat))
    throw new AwsApiError("MissingParameter", `The parameter ${at}.MetricStat is required.`);
  const metric = stat.Metric;
  if (!isRecord(metric) || typeof metric.Namespace !== "string" || typeof metric.MetricName !== "string") {
    throw new AwsApiError("MissingParameter", `The parameter ${at}.MetricStat.Metric is required.`);
  }
  const period = stat.Period;
  if (typeof period !== "number" || !Number.isInteger(period) || period <= 0) {
    throw new AwsApiError("MissingParameter", `The parameter ${at}.MetricStat.Period is required.`);
  }
  if (period % 60 !== 0 && ![1, 5, 10, 20, 30].includes(period)) {
    throw validationError(
      `The parameter ${at}.MetricStat.Period must be 1, 5, 10, 20, 30, or a multiple of 60.`,
    );
  }
  if (typeof stat.Stat !== "string")
    throw new AwsApiError("MissingParameter", `The parameter ${at}.MetricStat.Stat is required.`);
  assertStatistic(stat.Stat, index);
  return {
    id,
    label: typeof raw.Label === "string" ? raw.Label : undefined,
    metric: {
      Namespace: metric.Namespace,
      MetricName: metric.MetricName,
      Dimensions: dimensionsOf(metric.Dimensions),
    },
    period,
    stat: stat.Stat,
    returnData: raw.ReturnData !== false,
  };
}

function dimensionsOf(raw: unknown): Dimension[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((d) => ({ Name: String(d.Name), Value: String(d.Value) }));
}

function assertUniqueIds(queries: readonly ParsedQuery[]): void {
  const seen = new Set<string>();
  for (const query of queries) {
    if (seen.has(query.id))
      throw validationError(`The value ${query.id} for parameter MetricDataQueries.member.Id is not unique.`);
    seen.add(query.id);
  }
}

function readMaxDatapoints(raw: unknown, limit: number): number {
  if (raw === undefined || raw === null) return limit;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 1) {
    throw validationError("The parameter MaxDatapoints must be a positive integer.");
  }
  return Math.min(raw, limit);
}
