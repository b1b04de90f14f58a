import type { DomainEvent, WorkerState, WorkerStatus } from "@cml-telemetry/contracts";
import { cmlReadingsOf } from "./cml-readings.ts";
import { instanceDetailsOf } from "./instance-details.ts";
import { cmlFailureResetsReadiness } from "./rules.ts";
import { isNewer } from "./uptime.ts";

function later(a: string, b: string): string {
  return isNewer(b, a) ? b : a;
}

function laterOf(a: string | null, b: string): string {
  return a === null ? b : later(a, b);
}

/**
 * The state with a new status observed at `observedAt`. Becoming RUNNING starts a run (`runningSince`); any other
 * status ends it: CML readiness and uptime, running labs and nodes, and the utilisation readings belong to a running
 * instance and are cleared (the service status goes UNAVAILABLE through its own event, decided with this one).
 */
function withStatus(state: WorkerState, status: WorkerStatus, observedAt: string): WorkerState {
  const moved = { ...state, status, statusObservedAt: laterOf(state.statusObservedAt, observedAt) };
  if (status === "RUNNING") {
    return state.status === "RUNNING" ? moved : { ...moved, runningSince: observedAt };
  }
  const cml = state.cmlMetrics;
  return {
    ...moved,
    runningSince: null,
    cmlReadySince: null,
    activeLabsCount: 0,
    cmlMetrics: {
      ...cml,
      ready: null,
      runningLabsCount: cml.runningLabsCount === null ? null : 0,
      runningNodes: cml.runningNodes === null ? null : 0,
      cpuPercent: null,
      memoryUsedPercent: null,
    },
    cloudwatchMetrics: { ...state.cloudwatchMetrics, cpuUtilization: null, memoryUtilization: null },
  };
}

function applyEvent(state: WorkerState, event: DomainEvent): WorkerState {
  switch (event.name) {
    case "registered": {
      const { data } = event;
      return {
        ...state,
        region: data.region,
        instanceId: data.instanceId,
        name: data.name,
        httpsEndpoint: data.httpsEndpoint,
        endpointPinned: data.httpsEndpoint !== null,
        createdBy: data.createdBy,
        createdAt: data.observedAt,
      };
    }
    case "instance_assigned": {
      const { data } = event;
      return {
        ...state,
        region: data.region,
        instanceId: data.instanceId,
        name: data.name,
        ...instanceDetailsOf(data),
        lastDiscoveredAt: data.observedAt,
        // The discovery saw a status too: taken if it was the newest (then status_changed may follow), else kept out.
        statusObservedAt: laterOf(state.statusObservedAt, data.observedAt),
      };
    }
    case "endpoint_changed":
      return { ...state, httpsEndpoint: event.data.newEndpoint, endpointPinned: event.data.pinned };
    case "status_changed":
      return withStatus(state, event.data.newStatus, event.data.observedAt);
    case "terminated":
      return { ...state, terminatedAt: event.data.terminatedAt, terminatedBy: event.data.terminatedBy };
    case "service_status_changed":
      return { ...state, serviceStatus: event.data.newStatus };
    case "license_changed":
      return { ...state, licenseStatus: event.data.newStatus };
    case "ec2_metrics_updated": {
      const { data } = event;
      return {
        ...state,
        statusObservedAt: laterOf(state.statusObservedAt, data.checkedAt),
        ec2Metrics: {
          instanceState: data.instanceState,
          instanceStatusCheck: data.instanceStatusCheck,
          systemStatusCheck: data.systemStatusCheck,
          lastCheckedAt: data.checkedAt,
          lastObservedAt: data.checkedAt,
          lastError: null,
        },
      };
    }
    case "cloudwatch_metrics_updated": {
      const { data } = event;
      return {
        ...state,
        detailedMonitoring: data.detailedMonitoring,
        cloudwatchMetrics: {
          cpuUtilization: data.cpuUtilization,
          memoryUtilization: data.memoryUtilization,
          periodSeconds: data.periodSeconds,
          datapointAt: data.datapointAt,
          stale: data.stale,
          detailedMonitoringEnabled: data.detailedMonitoring,
          lastCollectedAt: data.collectedAt,
          lastObservedAt: data.collectedAt,
          // Memory that could not be read while CPU could is the block's error (e.g. ListMetrics denied).
          lastError: data.memoryError
            ? {
                type: data.memoryError.errorType,
                message: data.memoryError.errorMessage,
                at: data.collectedAt,
              }
            : null,
        },
      };
    }
    case "cml_metrics_updated": {
      const { data } = event;
      const labsRunning = data.runningLabsCount !== null && data.runningLabsCount > 0;
      return {
        ...state,
        cmlVersion: data.cmlVersion ?? state.cmlVersion,
        licenseStatus: data.licenseStatus ?? state.licenseStatus,
        activeLabsCount: data.runningLabsCount ?? state.activeLabsCount,
        lastActivityAt: labsRunning ? data.syncedAt : state.lastActivityAt,
        idleDetectedAt: labsRunning ? null : state.idleDetectedAt,
        cmlReadySince: data.ready ? (state.cmlReadySince ?? data.syncedAt) : null,
        cmlMetrics: {
          ...cmlReadingsOf(data),
          version: data.cmlVersion,
          systemInfo: data.systemInfo,
          lastSyncedAt: data.syncedAt,
          lastObservedAt: data.syncedAt,
          lastError: null,
        },
      };
    }
    case "source_failed": {
      const { data } = event;
      const lastError = { type: data.errorType, message: data.errorMessage, at: data.failedAt };
      switch (data.source) {
        case "ec2":
          return { ...state, ec2Metrics: { ...state.ec2Metrics, lastError, lastObservedAt: data.failedAt } };
        case "cloudwatch":
          return {
            ...state,
            cloudwatchMetrics: { ...state.cloudwatchMetrics, lastError, lastObservedAt: data.failedAt },
          };
        case "cml":
          return {
            ...state,
            cmlReadySince: cmlFailureResetsReadiness(data.errorType) ? null : state.cmlReadySince,
            cmlMetrics: { ...state.cmlMetrics, lastError, lastObservedAt: data.failedAt },
          };
        default: {
          const unhandled: never = data.source;
          throw new TypeError(`unhandled source ${String(unhandled)}`);
        }
      }
    }
    case "idle_detected":
      return { ...state, idleDetectedAt: event.data.observedAt };
    // Lifecycle events of the contract that this Decider does not emit yet: nothing to fold.
    case "start_requested":
    case "stop_requested":
    case "terminate_requested":
    case "idle_stop_skipped":
      return state;
    default: {
      const unhandled: never = event;
      throw new TypeError(`unhandled domain event ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * Folds one domain event into the worker state (pure). Sets `version` and `updatedAt` from the event.
 * @example const next = events.reduce(evolve, state);
 */
export function evolve(state: WorkerState, event: DomainEvent): WorkerState {
  const next = applyEvent(state, event);
  next.version = event.data.version;
  next.updatedAt =
    state.version === 0 ? event.data.observedAt : later(state.updatedAt, event.data.observedAt);
  return next;
}
