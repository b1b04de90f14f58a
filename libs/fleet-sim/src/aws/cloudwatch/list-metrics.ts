import { type ListedMetric, metricsOf } from "../../model/metric-catalog.ts";
import { decodePagingToken, encodePagingToken } from "../paging-token.ts";
import { type CloudWatchRequest, isRecord, optionalString, validationError } from "./cloudwatch-request.ts";

/** ListMetrics returns at most this many metrics per page, like AWS. */
export const LIST_METRICS_PAGE_SIZE = 500;
/** The only `RecentlyActive` value AWS accepts: metrics with new data in the past three hours. */
export const RECENTLY_ACTIVE_PT3H = "PT3H";
const THREE_HOURS_MS = 3 * 3_600_000;

/**
 * CloudWatch `ListMetrics`: `Namespace`, `MetricName` and `Dimensions` (name, optional value) filters,
 * `RecentlyActive=PT3H`, paged. A series without new data stays listed for `metricListingDays` (AWS: two weeks).
 */
export function listMetrics({ input, region, fleet }: CloudWatchRequest): Record<string, unknown> {
  const namespace = optionalString(input, "Namespace");
  const metricName = optionalString(input, "MetricName");
  const recentlyActive = optionalString(input, "RecentlyActive");
  if (recentlyActive !== undefined && recentlyActive !== RECENTLY_ACTIVE_PT3H) {
    throw validationError(
      `1 validation error detected: Value '${recentlyActive}' at 'recentlyActive' failed to satisfy constraint: Member must satisfy enum value set: [${RECENTLY_ACTIVE_PT3H}]`,
    );
  }
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
  const now = fleet.now();
  const oldest =
    recentlyActive === undefined ? now - fleet.realism.metricListingDays * 86_400_000 : now - THREE_HOURS_MS;
  const matches = (metric: ListedMetric): boolean =>
    metric.lastDataAt >= oldest &&
    (namespace === undefined || metric.Namespace === namespace) &&
    (metricName === undefined || metric.MetricName === metricName) &&
    dimensionFilters.every((f) =>
      metric.Dimensions.some((d) => d.Name === f.name && (f.value === undefined || d.Value === f.value)),
    );
  const metrics = instances
    .flatMap((instance) => metricsOf(instance, now))
    .filter(matches)
    .map(({ Namespace, MetricName, Dimensions }) => ({ Namespace, MetricName, Dimensions }));
  const token = optionalString(input, "NextToken");
  const offset = token ? (decodePagingToken("ListMetrics", token, "InvalidNextToken", ["o"]).o ?? 0) : 0;
  const end = Math.min(metrics.length, offset + LIST_METRICS_PAGE_SIZE);
  const page = metrics.slice(offset, end);
  return end < metrics.length
    ? { Metrics: page, NextToken: encodePagingToken("ListMetrics", { o: end }) }
    : { Metrics: page };
}
