import { type MetricIdentity, metricsOf } from "../../model/metric-catalog.ts";
import { decodePagingToken, encodePagingToken } from "../paging-token.ts";
import { type CloudWatchRequest, isRecord, optionalString } from "./cloudwatch-request.ts";

/** ListMetrics returns at most this many metrics per page, like AWS. */
export const LIST_METRICS_PAGE_SIZE = 500;

/** CloudWatch `ListMetrics`: `Namespace`, `MetricName` and `Dimensions` (name, optional value) filters, paged. */
export function listMetrics({ input, region, fleet }: CloudWatchRequest): Record<string, unknown> {
  const namespace = optionalString(input, "Namespace");
  const metricName = optionalString(input, "MetricName");
  const dimensionFilters = Array.isArray(input.Dimensions)
    ? input.Dimensions.filter(isRecord).map((d) => ({
        name: String(d.Name),
        value: typeof d.Value === "string" ? d.Value : undefined,
      }))
    : [];
  const instanceFilter = dimensionFilters.find(
    (d) => d.name === "InstanceId" && d.value !== undefined,
  )?.value;
  const instances =
    instanceFilter === undefined
      ? fleet.instances(region)
      : fleet.instances(region).filter((i) => i.instanceId === instanceFilter);
  const matches = (metric: MetricIdentity): boolean =>
    (namespace === undefined || metric.Namespace === namespace) &&
    (metricName === undefined || metric.MetricName === metricName) &&
    dimensionFilters.every((f) =>
      metric.Dimensions.some((d) => d.Name === f.name && (f.value === undefined || d.Value === f.value)),
    );
  const metrics = instances.flatMap(metricsOf).filter(matches);
  const token = optionalString(input, "NextToken");
  const offset = token ? (decodePagingToken("ListMetrics", token, "InvalidNextToken", ["o"]).o ?? 0) : 0;
  const end = Math.min(metrics.length, offset + LIST_METRICS_PAGE_SIZE);
  const page = metrics.slice(offset, end);
  return end < metrics.length
    ? { Metrics: page, NextToken: encodePagingToken("ListMetrics", { o: end }) }
    : { Metrics: page };
}
