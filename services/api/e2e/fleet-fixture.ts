import type {
  DomainEventName,
  HistoryBucket,
  HistoryQueryReply,
  HistoryQueryRequest,
  Source,
  WorkerState,
} from "@cml-telemetry/contracts";
import { aWorkerState } from "../src/testing/worker-state-builder.ts";

const REGIONS = ["us-east-1", "us-west-2", "eu-west-1"] as const;

/** Deterministic pseudo-random in [0, 1) for a seed. */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43_758.5453;
  return x - Math.floor(x);
}

/**
 * A believable worker of a demo fleet at `nowMs`: mostly running and fresh, some stopped, every 7th idle, every
 * 11th with a failing CML source and every 13th with stale CloudWatch data.
 */
export function demoWorker(index: number, nowMs: number): WorkerState {
  const ago = (seconds: number) => new Date(nowMs - seconds * 1000).toISOString();
  const region = REGIONS[index % REGIONS.length] as string;
  const stopped = index % 9 === 4;
  const idle = index % 7 === 3 && !stopped;
  const labs = stopped || idle ? 0 : 1 + (index % 5);
  const base = aWorkerState({
    region,
    instanceId: `i-0${(0xa000000 + index).toString(16).padStart(16, "0")}`,
    name: `cml-lab-${String(index + 1).padStart(3, "0")}`,
  });
  const cpu = Math.round((12 + 70 * noise(index)) * 10) / 10;
  const memory = Math.round((30 + 50 * noise(index + 1000)) * 10) / 10;
  const cwAge = index % 13 === 5 ? 1_500 : 20 + (index % 40);
  const cmlFails = index % 11 === 6 && !stopped;
  return {
    ...base,
    status: stopped ? "STOPPED" : "RUNNING",
    serviceStatus: stopped ? "UNAVAILABLE" : cmlFails ? "ERROR" : "AVAILABLE",
    httpsEndpoint: stopped ? null : `https://10.0.${index % 250}.${10 + (index % 200)}`,
    activeLabsCount: labs,
    lastActivityAt: idle ? ago(3 * 3_600) : ago(60),
    cmlReadySince: stopped ? null : ago(86_400 * (1 + (index % 20)) + 3_600 * (index % 24)),
    idleDetectedAt: idle ? ago(3_600) : null,
    ec2Metrics: {
      instanceState: stopped ? "stopped" : "running",
      instanceStatusCheck: stopped ? "not-applicable" : "ok",
      systemStatusCheck: stopped ? "not-applicable" : "ok",
      lastCheckedAt: ago(10 + (index % 45)),
      lastObservedAt: ago(10 + (index % 45)),
      lastError: null,
    },
    cloudwatchMetrics: stopped
      ? base.cloudwatchMetrics
      : {
          cpuUtilization: cpu,
          memoryUtilization: index % 17 === 2 ? null : memory,
          periodSeconds: index % 4 === 0 ? 60 : 300,
          datapointAt: ago(cwAge + 60),
          stale: false,
          detailedMonitoringEnabled: index % 4 === 0,
          lastCollectedAt: ago(cwAge),
          lastObservedAt: ago(cwAge),
          lastError: null,
        },
    cmlMetrics: stopped
      ? base.cmlMetrics
      : {
          ready: !cmlFails,
          version: "2.9.1",
          labsCount: labs + (index % 3),
          runningLabsCount: labs,
          licenseStatus: index % 10 === 8 ? "EVALUATION" : "REGISTERED",
          cpuPercent: cpu,
          memoryUsedPercent: memory,
          diskUsedPercent: 41,
          runningNodes: labs * 6,
          systemInfo: { version: "2.9.1", ready: !cmlFails },
          lastSyncedAt: ago(cmlFails ? 600 : 25 + (index % 30)),
          lastObservedAt: ago(25),
          lastError: cmlFails
            ? { type: "unreachable", message: "connect ECONNREFUSED 10.0.6.16:443", at: ago(30) }
            : null,
        },
    version: 10,
  };
}

/** The worker after a CloudWatch observation at `atMs` with a new CPU value (version + 1). */
export function withCpu(state: WorkerState, cpu: number, atMs: number): WorkerState {
  const at = new Date(atMs).toISOString();
  return {
    ...state,
    version: state.version + 1,
    updatedAt: at,
    cloudwatchMetrics: {
      ...state.cloudwatchMetrics,
      cpuUtilization: cpu,
      periodSeconds: state.cloudwatchMetrics.periodSeconds ?? 60,
      detailedMonitoringEnabled: state.cloudwatchMetrics.detailedMonitoringEnabled ?? false,
      lastCollectedAt: at,
      lastObservedAt: at,
      datapointAt: at,
    },
  };
}

/** The domain event `<source>_metrics_updated` describing `state` (valid for the contract schema). */
export function metricsUpdatedEvent(
  source: Source,
  state: WorkerState,
): { name: DomainEventName; data: Record<string, unknown> } {
  const base = { workerId: state.id, version: state.version, observedAt: state.updatedAt };
  if (source === "ec2") {
    const ec2 = state.ec2Metrics;
    return {
      name: "ec2_metrics_updated",
      data: {
        ...base,
        instanceState: ec2.instanceState ?? "running",
        instanceStatusCheck: ec2.instanceStatusCheck ?? "ok",
        systemStatusCheck: ec2.systemStatusCheck ?? "ok",
        checkedAt: ec2.lastCheckedAt ?? state.updatedAt,
      },
    };
  }
  if (source === "cloudwatch") {
    const cw = state.cloudwatchMetrics;
    return {
      name: "cloudwatch_metrics_updated",
      data: {
        ...base,
        cpuUtilization: cw.cpuUtilization,
        memoryUtilization: cw.memoryUtilization,
        periodSeconds: cw.periodSeconds ?? 60,
        detailedMonitoring: cw.detailedMonitoringEnabled ?? false,
        datapointAt: cw.datapointAt,
        stale: cw.stale,
        collectedAt: cw.lastCollectedAt ?? state.updatedAt,
      },
    };
  }
  const cml = state.cmlMetrics;
  return {
    name: "cml_metrics_updated",
    data: {
      ...base,
      ready: cml.ready ?? false,
      cmlVersion: cml.version,
      uptimeSeconds: null,
      labsCount: cml.labsCount,
      runningLabsCount: cml.runningLabsCount,
      licenseStatus: cml.licenseStatus,
      cpuPercent: cml.cpuPercent,
      memoryUsedPercent: cml.memoryUsedPercent,
      diskUsedPercent: cml.diskUsedPercent,
      runningNodes: cml.runningNodes,
      systemInfo: cml.systemInfo,
      syncedAt: cml.lastSyncedAt ?? state.updatedAt,
    },
  };
}

/**
 * The worker after a refresh at `atMs` collected `source`: new timestamps, and for CML `labsCount` labs
 * (version + 1).
 */
export function refreshed(state: WorkerState, source: Source, atMs: number, labsCount: number): WorkerState {
  const at = new Date(atMs).toISOString();
  const next = { ...state, version: state.version + 1, updatedAt: at };
  if (source === "ec2")
    return { ...next, ec2Metrics: { ...state.ec2Metrics, lastCheckedAt: at, lastObservedAt: at } };
  if (source === "cloudwatch") return withCpu(state, 33.3, atMs);
  return {
    ...next,
    activeLabsCount: labsCount,
    cmlMetrics: {
      ...state.cmlMetrics,
      labsCount,
      runningLabsCount: labsCount,
      lastSyncedAt: at,
      lastObservedAt: at,
      lastError: null,
    },
  };
}

/**
 * A history answer with a daily CPU/memory wave (CloudWatch buckets) and labs steps (CML buckets) for any range.
 */
export function historyAnswer(request: HistoryQueryRequest): HistoryQueryReply {
  const interval = request.intervalSeconds ?? 300;
  const from = Math.ceil(Date.parse(request.from) / 1000 / interval) * interval;
  const to = Date.parse(request.to) / 1000;
  const buckets: HistoryBucket[] = [];
  for (let t = from; t < to; t += interval) {
    const phase = (t % 86_400) / 86_400;
    const cpu = 35 + 25 * Math.sin(phase * 2 * Math.PI) + 5 * noise(t);
    const memory = 55 + 10 * Math.sin(phase * 2 * Math.PI + 1);
    const start = new Date(t * 1000).toISOString();
    const stat = (value: number) => ({ count: 1, avg: value, min: value, max: value });
    buckets.push({
      start,
      source: "cloudwatch",
      count: 1,
      metrics: { cpu: stat(cpu), memory: stat(memory) },
    });
    buckets.push({ start, source: "cml", count: 1, metrics: { labsCount: stat(1 + Math.floor(phase * 4)) } });
  }
  return {
    ok: true,
    workerId: request.workerId,
    from: request.from,
    to: request.to,
    intervalSeconds: interval,
    buckets,
  };
}
