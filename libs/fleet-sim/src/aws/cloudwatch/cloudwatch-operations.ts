import type { CloudWatchRequest } from "./cloudwatch-request.ts";
import { getMetricData } from "./get-metric-data.ts";
import { listMetrics } from "./list-metrics.ts";

/** The CloudWatch operations the simulator implements, each returning the JSON output. */
export const CLOUDWATCH_OPERATIONS: Readonly<
  Record<string, (request: CloudWatchRequest) => Record<string, unknown>>
> = {
  GetMetricData: getMetricData,
  ListMetrics: listMetrics,
};
