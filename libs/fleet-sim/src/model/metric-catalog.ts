import { type Dimension, sameDimensions } from "./agent-dimensions.ts";
import type { FleetModel, InstanceRecord } from "./fleet-model.ts";
import { cpuAt, memoryAt } from "./metric-series.ts";
import { hashString, noise } from "./seeded-random.ts";

export { agentDimensions, type Dimension } from "./agent-dimensions.ts";

/** A CloudWatch metric identity (namespace, name, exact dimension set). */
export interface MetricIdentity {
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
}

/** A metric an instance has published, with the time of its newest data (epoch ms). */
export interface ListedMetric extends MetricIdentity {
  lastDataAt: number;
}

/** A metric resolved to the instance whose series it is. */
export interface ResolvedSeries {
  instance: InstanceRecord;
  kind: "cpu" | "memory";
  /** Native resolution of the series in seconds. */
  granularitySeconds: number;
  /** When this exact series received data (epoch ms; `end` null: still does); undefined: whenever the instance ran. */
  active?: ReadonlyArray<{ from: number; to: number | null }>;
}

/** One native datapoint (epoch seconds). */
export interface NativeDatapoint {
  timestamp: number;
  value: number;
}

/** When a datapoint becomes visible: `lagSeconds` plus a seeded 0..`jitterSeconds` after its period ends. */
export interface PublishDelay {
  lagSeconds: number;
  jitterSeconds: number;
}

/** Namespace and name of the EC2 CPU metric. */
export const CPU_METRIC = { namespace: "AWS/EC2", name: "CPUUtilization" } as const;
/** Namespace and name of the CloudWatch agent memory metric. */
export const MEMORY_METRIC = { namespace: "CWAgent", name: "mem_used_percent" } as const;

/** `AWS/EC2 CPUUtilization` comes every minute with detailed monitoring, else every five minutes. */
function cpuGranularitySeconds(instance: InstanceRecord): number {
  return instance.detailedMonitoring ? 60 : 300;
}

/**
 * Metrics an instance has published (what ListMetrics can show for it), each with the time of its newest data:
 * CPU under `InstanceId`, and memory under every dimension set the agent has used (a resize starts a new series;
 * the old one keeps its last data). Instances that never ran have none.
 */
export function metricsOf(instance: InstanceRecord, nowMs: number): ListedMetric[] {
  const cpuLast = lastRunningWithin(instance, Number.NEGATIVE_INFINITY, nowMs);
  if (cpuLast === undefined) return [];
  const metrics: ListedMetric[] = [
    {
      Namespace: CPU_METRIC.namespace,
      MetricName: CPU_METRIC.name,
      Dimensions: [{ Name: "InstanceId", Value: instance.instanceId }],
      lastDataAt: cpuLast,
    },
  ];
  for (const series of instance.agentSeries) {
    const last = lastRunningWithin(instance, series.from, series.to ?? nowMs);
    if (last === undefined) continue;
    metrics.push({
      Namespace: MEMORY_METRIC.namespace,
      MetricName: MEMORY_METRIC.name,
      Dimensions: series.dimensions.map((d) => ({ ...d })),
      lastDataAt: last,
    });
  }
  return metrics;
}

/**
 * Finds the series a metric refers to in a region. CloudWatch matches the dimension set exactly, so memory only
 * resolves with a dimension set the agent has really published (an old set after a resize gives its old data).
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
    return { instance, kind: "cpu", granularitySeconds: cpuGranularitySeconds(instance) };
  }
  if (metric.Namespace === MEMORY_METRIC.namespace && metric.MetricName === MEMORY_METRIC.name) {
    const active = instance.agentSeries.filter((series) =>
      sameDimensions(series.dimensions, metric.Dimensions),
    );
    if (active.length === 0) return undefined;
    return { instance, kind: "memory", granularitySeconds: 60, active };
  }
  return undefined;
}

/**
 * Native datapoints of a series in `[startSeconds, endSeconds)`, oldest first: one per granularity step, only for
 * steps in which the series received data (the instance was running, under this dimension set), and only once the
 * step's period has ended and its publish delay has passed.
 */
export function nativeDatapoints(
  series: ResolvedSeries,
  startSeconds: number,
  endSeconds: number,
  nowSeconds: number,
  delay: PublishDelay,
): NativeDatapoint[] {
  const g = series.granularitySeconds;
  const lastVisible = nowSeconds - g - delay.lagSeconds;
  const points: NativeDatapoint[] = [];
  const first = Math.ceil(startSeconds / g) * g;
  for (let t = first; t < endSeconds && t <= lastVisible; t += g) {
    if (visibleFrom(series.instance, series.kind, g, t, delay) > nowSeconds) continue;
    if (!hadData(series, t * 1000, (t + g) * 1000)) continue;
    points.push({ timestamp: t, value: valueAt(series, t) });
  }
  return points;
}

/** When the datapoint of the period starting at `periodStart` (epoch seconds) becomes visible (epoch seconds). */
function visibleFrom(
  instance: InstanceRecord,
  kind: ResolvedSeries["kind"],
  granularitySeconds: number,
  periodStart: number,
  delay: PublishDelay,
): number {
  const jitterLimit = Math.max(0, delay.jitterSeconds);
  const key = hashString(`${instance.instanceId}/${kind}/delay`);
  const jitter = jitterLimit > 0 ? Math.floor(noise(key, periodStart) * (jitterLimit + 1)) : 0;
  return periodStart + granularitySeconds + delay.lagSeconds + jitter;
}

/**
 * The first CPU datapoint that carries a `cpuChange` made at `atMs`: its period (the first to start at or after the
 * change, at the instance's CPU granularity) and when CloudWatch makes it visible (both epoch ms), so a client's
 * freshness can be counted from when the data exists, not from the change.
 */
export function cpuChangeVisibility(
  instance: InstanceRecord,
  atMs: number,
  delay: PublishDelay,
): { periodStart: number; visibleAt: number } {
  const g = cpuGranularitySeconds(instance);
  const periodStart = Math.ceil(atMs / 1000 / g) * g;
  return {
    periodStart: periodStart * 1000,
    visibleAt: visibleFrom(instance, "cpu", g, periodStart, delay) * 1000,
  };
}

function valueAt(series: ResolvedSeries, t: number): number {
  const { instance } = series;
  if (series.kind === "cpu")
    return instance.cpuOverride ?? changedCpuAt(instance, t) ?? cpuAt(instance.instanceId, t);
  return instance.memoryOverride ?? memoryAt(instance.instanceId, t);
}

/** The CPU % of the latest change made at or before the period starting at `t` (epoch seconds), if any. */
function changedCpuAt(instance: InstanceRecord, t: number): number | undefined {
  for (let i = instance.cpuChanges.length - 1; i >= 0; i--) {
    const change = instance.cpuChanges[i];
    if (change !== undefined && change.at <= t * 1000) return change.value;
  }
  return undefined;
}

function hadData(series: ResolvedSeries, fromMs: number, toMs: number): boolean {
  const active = series.active ?? [{ from: Number.NEGATIVE_INFINITY, to: null }];
  return active.some(
    (window) =>
      window.from < toMs &&
      (window.to === null || window.to > fromMs) &&
      wasRunning(series.instance, Math.max(fromMs, window.from), Math.min(toMs, window.to ?? toMs)),
  );
}

function wasRunning(instance: InstanceRecord, fromMs: number, toMs: number): boolean {
  for (const [start, end] of instance.runs) {
    if (start < toMs && (end === null || end > fromMs)) return true;
  }
  return false;
}

/** The latest instant in `[fromMs, toMs]` at which the instance ran, or undefined when it did not run then. */
function lastRunningWithin(instance: InstanceRecord, fromMs: number, toMs: number): number | undefined {
  let last: number | undefined;
  for (const [start, end] of instance.runs) {
    const runEnd = Math.min(end ?? toMs, toMs);
    if (start <= toMs && runEnd >= fromMs && start <= runEnd) last = Math.max(last ?? runEnd, runEnd);
  }
  return last;
}
