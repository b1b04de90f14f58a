import type { FleetModel, InstanceRecord } from "./fleet-model.ts";
import { cpuAt, memoryAt } from "./metric-series.ts";

/** A CloudWatch dimension. */
export interface Dimension {
  Name: string;
  Value: string;
}

/** A CloudWatch metric identity (namespace, name, exact dimension set). */
export interface MetricIdentity {
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
}

/** A metric resolved to the instance whose series it is. */
export interface ResolvedSeries {
  instance: InstanceRecord;
  kind: "cpu" | "memory";
  /** Native resolution of the series in seconds. */
  granularitySeconds: number;
}

/** One native datapoint (epoch seconds). */
export interface NativeDatapoint {
  timestamp: number;
  value: number;
}

/** Namespace and name of the EC2 CPU metric. */
export const CPU_METRIC = { namespace: "AWS/EC2", name: "CPUUtilization" } as const;
/** Namespace and name of the CloudWatch agent memory metric. */
export const MEMORY_METRIC = { namespace: "CWAgent", name: "mem_used_percent" } as const;

/** The agent's dimension set for the instance, or undefined without an agent. */
export function agentDimensions(instance: InstanceRecord): Dimension[] | undefined {
  switch (instance.agent) {
    case "none":
      return undefined;
    case "instance-id":
      return [{ Name: "InstanceId", Value: instance.instanceId }];
    case "instance-image-type":
      return [
        { Name: "InstanceId", Value: instance.instanceId },
        { Name: "ImageId", Value: instance.imageId },
        { Name: "InstanceType", Value: instance.instanceType },
      ];
    default: {
      const unknown: never = instance.agent;
      throw new RangeError(`Unknown agent config ${String(unknown)}`);
    }
  }
}

/** Metrics an instance has published (what ListMetrics shows for it); instances that never ran have none. */
export function metricsOf(instance: InstanceRecord): MetricIdentity[] {
  if (instance.runs.length === 0) return [];
  const metrics: MetricIdentity[] = [
    {
      Namespace: CPU_METRIC.namespace,
      MetricName: CPU_METRIC.name,
      Dimensions: [{ Name: "InstanceId", Value: instance.instanceId }],
    },
  ];
  const dimensions = agentDimensions(instance);
  if (dimensions)
    metrics.push({
      Namespace: MEMORY_METRIC.namespace,
      MetricName: MEMORY_METRIC.name,
      Dimensions: dimensions,
    });
  return metrics;
}

/**
 * Finds the series a metric refers to in a region. CloudWatch matches the dimension set exactly, so the
 * memory metric only resolves with the instance agent's own dimensions.
 */
export function resolveSeries(
  fleet: FleetModel,
  region: string,
  metric: MetricIdentity,
): ResolvedSeries | undefined {
  const instanceId = metric.Dimensions.find((d) => d.Name === "InstanceId")?.Value;
  if (instanceId === undefined) return undefined;
  const instance = fleet.find(instanceId);
  if (!instance || instance.region !== region || instance.instanceId !== instanceId) return undefined;
  if (metric.Namespace === CPU_METRIC.namespace && metric.MetricName === CPU_METRIC.name) {
    if (metric.Dimensions.length !== 1) return undefined;
    return { instance, kind: "cpu", granularitySeconds: instance.detailedMonitoring ? 60 : 300 };
  }
  if (metric.Namespace === MEMORY_METRIC.namespace && metric.MetricName === MEMORY_METRIC.name) {
    const expected = agentDimensions(instance);
    if (!expected || !sameDimensions(expected, metric.Dimensions)) return undefined;
    return { instance, kind: "memory", granularitySeconds: 60 };
  }
  return undefined;
}

/**
 * Native datapoints of a series in `[startSeconds, endSeconds)`, oldest first: one per granularity step,
 * only for steps while the instance was running, and only once the step is older than its visibility lag.
 */
export function nativeDatapoints(
  series: ResolvedSeries,
  startSeconds: number,
  endSeconds: number,
  nowSeconds: number,
  lagSeconds: number,
): NativeDatapoint[] {
  const g = series.granularitySeconds;
  const { instance } = series;
  const lastVisible = nowSeconds - g - lagSeconds;
  const points: NativeDatapoint[] = [];
  const first = Math.ceil(startSeconds / g) * g;
  for (let t = first; t < endSeconds && t <= lastVisible; t += g) {
    if (!wasRunning(instance, t * 1000, (t + g) * 1000)) continue;
    points.push({ timestamp: t, value: valueAt(series, t) });
  }
  return points;
}

function valueAt(series: ResolvedSeries, t: number): number {
  const { instance } = series;
  if (series.kind === "cpu") return instance.cpuOverride ?? cpuAt(instance.instanceId, t);
  return instance.memoryOverride ?? memoryAt(instance.instanceId, t);
}

function wasRunning(instance: InstanceRecord, fromMs: number, toMs: number): boolean {
  for (const [start, end] of instance.runs) {
    if (start < toMs && (end === null || end > fromMs)) return true;
  }
  return false;
}

function sameDimensions(a: readonly Dimension[], b: readonly Dimension[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((d) => b.some((e) => e.Name === d.Name && e.Value === d.Value));
}
