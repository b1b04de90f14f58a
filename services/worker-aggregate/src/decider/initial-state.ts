import type { WorkerState } from "@cml-telemetry/contracts";

/** Timestamp used for audit fields before the worker is registered (version 0 = does not exist yet). */
export const NEVER = "1970-01-01T00:00:00.000Z";

/**
 * State of a worker nothing is known about yet (version 0). `registered` fills identity and audit fields.
 * @example const state = initialState(workerIdOf("us-east-1", "i-0123456789abcdef0"));
 */
export function initialState(workerId: string): WorkerState {
  return {
    id: workerId,
    name: null,
    region: "",
    instanceId: "",
    instanceType: null,
    amiId: null,
    amiName: null,
    status: "UNKNOWN",
    serviceStatus: "UNAVAILABLE",
    licenseStatus: null,
    cmlVersion: null,
    httpsEndpoint: null,
    endpointPinned: false,
    publicIp: null,
    privateIp: null,
    detailedMonitoring: null,
    tags: {},
    lastActivityAt: null,
    activeLabsCount: 0,
    cmlReadySince: null,
    idleDetectedAt: null,
    lastDiscoveredAt: null,
    ec2Metrics: {
      instanceState: null,
      instanceStatusCheck: null,
      systemStatusCheck: null,
      lastCheckedAt: null,
      lastObservedAt: null,
      lastError: null,
    },
    cloudwatchMetrics: {
      cpuUtilization: null,
      memoryUtilization: null,
      periodSeconds: null,
      datapointAt: null,
      stale: false,
      detailedMonitoringEnabled: null,
      lastCollectedAt: null,
      lastObservedAt: null,
      lastError: null,
    },
    cmlMetrics: {
      ready: null,
      version: null,
      labsCount: null,
      runningLabsCount: null,
      licenseStatus: null,
      cpuPercent: null,
      memoryUsedPercent: null,
      diskUsedPercent: null,
      runningNodes: null,
      systemInfo: null,
      lastSyncedAt: null,
      lastObservedAt: null,
      lastError: null,
    },
    createdAt: NEVER,
    updatedAt: NEVER,
    terminatedAt: null,
    createdBy: "",
    terminatedBy: null,
    version: 0,
  };
}

/** Whether the worker exists (was registered by discovery or a registration). */
export function isKnown(state: WorkerState): boolean {
  return state.version > 0;
}
