import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import type { AwsCaller } from "@cml-telemetry/aws";
import { awsErrorTypes, type PartialFailure } from "@cml-telemetry/contracts";
import type { CollectTarget } from "@cml-telemetry/scheduling";
import { MEMORY_METRIC } from "./memory-dimensions-cache.ts";
import { isCompleteBucket, type MetricWindow } from "./metric-window.ts";

/** AWS's limit of queries in one `GetMetricData` call. */
export const MAX_QUERIES_PER_CALL = 500;

/** What to ask CloudWatch for one worker. */
export interface WorkerMetricRequest {
  readonly target: CollectTarget;
  readonly periodSeconds: number;
  /** The agent's dimension set for memory; undefined = no agent data, memory is not requested. */
  readonly memoryDimensions: Dimension[] | undefined;
  /** Why memory cannot be read for this worker now (it is then not requested). */
  readonly memoryError?: PartialFailure | undefined;
}

/** The newest complete datapoint of a series. */
export interface Datapoint {
  readonly atSeconds: number;
  readonly value: number;
}

/** A metric whose result CloudWatch answered with `StatusCode` `InternalError` or `Forbidden`. */
export interface FailedMetric {
  readonly failure: PartialFailure;
}

/** Newest CPU and memory datapoints of one worker (undefined: none in the window), or the failure of its result. */
export interface WorkerDatapoints {
  readonly cpu: Datapoint | FailedMetric | undefined;
  readonly memory: Datapoint | FailedMetric | undefined;
}

/** Whether a worker's result failed (per-result `StatusCode`). */
export function isFailedMetric(value: Datapoint | FailedMetric | undefined): value is FailedMetric {
  return value !== undefined && "failure" in value;
}

/** Number of queries a request needs (CPU, plus memory when the agent publishes it). */
export function queryCount(request: WorkerMetricRequest): number {
  return request.memoryDimensions ? 2 : 1;
}

/** Packs requests into calls of at most 500 queries, never splitting one worker's queries. */
export function packRequests(requests: readonly WorkerMetricRequest[]): WorkerMetricRequest[][] {
  const packs: WorkerMetricRequest[][] = [];
  let current: WorkerMetricRequest[] = [];
  let size = 0;
  for (const request of requests) {
    const count = queryCount(request);
    if (size + count > MAX_QUERIES_PER_CALL) {
      packs.push(current);
      current = [];
      size = 0;
    }
    current.push(request);
    size += count;
  }
  if (current.length > 0) packs.push(current);
  return packs;
}

/** The MetricStat queries of a pack: `c<i>` for CPU and `m<i>` for memory of the pack's i-th worker. */
export function buildQueries(pack: readonly WorkerMetricRequest[]): MetricDataQuery[] {
  return pack.flatMap((request, index) => {
    const queries: MetricDataQuery[] = [
      {
        Id: `c${index}`,
        MetricStat: {
          Metric: {
            Namespace: "AWS/EC2",
            MetricName: "CPUUtilization",
            Dimensions: [{ Name: "InstanceId", Value: request.target.instanceId }],
          },
          Period: request.periodSeconds,
          Stat: "Average",
        },
        ReturnData: true,
      },
    ];
    if (request.memoryDimensions) {
      queries.push({
        Id: `m${index}`,
        MetricStat: {
          Metric: {
            Namespace: MEMORY_METRIC.namespace,
            MetricName: MEMORY_METRIC.name,
            Dimensions: request.memoryDimensions,
          },
          Period: request.periodSeconds,
          Stat: "Average",
        },
        ReturnData: true,
      });
    }
    return queries;
  });
}

/**
 * Runs one pack as a `GetMetricData` call (following every `NextToken` page: a `PartialData` result continues there)
 * and returns the newest complete datapoint of each series, by worker id, or the failure of a result CloudWatch
 * answered with `StatusCode` `InternalError` or `Forbidden`. `onQueriesSent` is told the queries of every request sent
 * (AWS bills each metric of each request).
 */
export async function getMetricDataPack(options: {
  client: CloudWatchClient;
  caller: AwsCaller;
  region: string;
  pack: readonly WorkerMetricRequest[];
  window: MetricWindow;
  onQueriesSent?: (count: number) => void;
}): Promise<Map<string, WorkerDatapoints>> {
  const queries = buildQueries(options.pack);
  const series = new Map<string, Array<[number, number]>>();
  const failed = new Map<string, PartialFailure>();
  let nextToken: string | undefined;
  do {
    const page = await options.caller.call("GetMetricData", options.region, () =>
      options.client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(options.window.startSeconds * 1000),
          EndTime: new Date(options.window.endSeconds * 1000),
          ScanBy: "TimestampDescending",
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    options.onQueriesSent?.(queries.length);
    for (const result of page.MetricDataResults ?? []) {
      if (!result.Id) continue;
      if (result.StatusCode === "InternalError" || result.StatusCode === "Forbidden") {
        failed.set(
          result.Id,
          resultFailure(
            result.StatusCode,
            describeQuery(options.pack, result.Id),
            result.Messages?.[0]?.Value,
          ),
        );
        continue;
      }
      const points = series.get(result.Id) ?? [];
      const timestamps = result.Timestamps ?? [];
      const values = result.Values ?? [];
      timestamps.forEach((timestamp, i) => {
        const value = values[i];
        if (value !== undefined) points.push([Math.floor(timestamp.getTime() / 1000), value]);
      });
      series.set(result.Id, points);
    }
    nextToken = page.NextToken || undefined;
  } while (nextToken);

  const newest = (id: string, period: number): Datapoint | FailedMetric | undefined => {
    const failure = failed.get(id);
    if (failure) return { failure };
    let best: Datapoint | undefined;
    for (const [atSeconds, value] of series.get(id) ?? []) {
      if (!isCompleteBucket(atSeconds, period, options.window)) continue;
      if (!best || atSeconds > best.atSeconds) best = { atSeconds, value };
    }
    return best;
  };
  return new Map(
    options.pack.map((request, index) => [
      request.target.workerId,
      { cpu: newest(`c${index}`, request.periodSeconds), memory: newest(`m${index}`, request.periodSeconds) },
    ]),
  );
}

function resultFailure(status: "InternalError" | "Forbidden", metric: string, detail: string | undefined) {
  return {
    errorType: status === "Forbidden" ? awsErrorTypes.metricForbidden : awsErrorTypes.metricInternalError,
    errorMessage: `GetMetricData answered StatusCode ${status} for ${metric}${detail ? `: ${detail}` : ""}`,
  };
}

/** What a query id (`c<i>` / `m<i>`) of a pack asks for, in words. */
function describeQuery(pack: readonly WorkerMetricRequest[], id: string): string {
  const instanceId = pack[Number(id.slice(1))]?.target.instanceId ?? "an instance";
  return id.startsWith("m")
    ? `${MEMORY_METRIC.namespace} ${MEMORY_METRIC.name} of ${instanceId}`
    : `AWS/EC2 CPUUtilization of ${instanceId}`;
}
