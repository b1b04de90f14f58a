import type { DomainEvent, WorkerState, WorkerStatus } from "@cml-telemetry/contracts";
import { addClosedInterval } from "@cml-telemetry/lifecycle";
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

/** The state with the open idle-stop savings interval closed at `at` (counted in the month's usage). */
function withIdleStopSavingsClosed(state: WorkerState, at: string): WorkerState {
  if (state.idleStoppedAt === null) return state;
  return {
    ...state,
    usage: addClosedInterval(state.usage, "idleStopSavedSeconds", state.idleStoppedAt, at),
    idleStoppedAt: null,
  };
}

/** Statuses in which an instance runs again (or is gone for good): an idle-policy stop no longer saves anything. */
const ENDS_IDLE_STOP_SAVINGS: ReadonlySet<WorkerStatus> = new Set([
  "PENDING",
  "RUNNING",
  "SHUTTING_DOWN",
  "TERMINATED",
]);

/**
 * The state with a new status observed at `observedAt`. Becoming RUNNING starts a run (`runningSince`); any other
 * status ends it: the run's time is added to the month's usage, and CML readiness and uptime, running labs and nodes,
 * and the utilisation readings belong to a running instance and are cleared (the service status goes UNAVAILABLE
 * through its own event, decided with this one). Running again (or going away) closes an idle-stop savings interval
 * and clears who stopped it; any status change ends the idle period (and its recorded skip).
 */
function withStatus(state: WorkerState, status: WorkerStatus, observedAt: string): WorkerState {
  const changed = status !== state.status;
  let moved: WorkerState = {
    ...state,
    status,
    statusObservedAt: laterOf(state.statusObservedAt, observedAt),
    idleStopSkipped: changed ? null : state.idleStopSkipped,
  };
  if (changed && ENDS_IDLE_STOP_SAVINGS.has(status)) moved = withIdleStopSavingsClosed(moved, observedAt);
  if (changed && (status === "PENDING" || status === "RUNNING")) moved = { ...moved, stoppedBy: null };
  if (status === "RUNNING") {
    return state.status === "RUNNING" ? moved : { ...moved, runningSince: observedAt };
  }
  const cml = state.cmlMetrics;
  return {
    ...moved,
    usage:
      state.runningSince === null
        ? moved.usage
        : addClosedInterval(moved.usage, "runningSeconds", state.runningSince, observedAt),
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

type LifecycleRequested = Extract<
  DomainEvent,
  { name: "start_requested" | "stop_requested" | "terminate_requested" }
>;

/**
 * Folds the outcome of a lifecycle request: the last lifecycle action (unless a newer one is known), the status clock
 * (the answer's EC2 state is an observation), who stopped the worker (an accepted stop; an accepted start clears it),
 * the open idle-stop savings interval (an accepted idle-policy stop opens it, an accepted start closes it) and who
 * asked for a terminate EC2 took.
 */
function withLifecycleRequest(state: WorkerState, event: LifecycleRequested): WorkerState {
  const { data } = event;
  const action =
    event.name === "start_requested" ? "start" : event.name === "stop_requested" ? "stop" : "terminate";
  const accepted = !data.dryRun && data.outcome === "accepted";
  const last = state.lastLifecycleAction;
  let next: WorkerState = {
    ...state,
    lastLifecycleAction:
      last !== null && isNewer(last.at, data.observedAt)
        ? last
        : {
            action,
            requestedBy: data.requestedBy,
            reason: data.reason,
            dryRun: data.dryRun,
            outcome: data.outcome,
            requestId: data.requestId,
            at: data.observedAt,
          },
    statusObservedAt:
      data.currentState === null ? state.statusObservedAt : laterOf(state.statusObservedAt, data.observedAt),
  };
  switch (action) {
    case "stop":
      if (accepted) next = { ...next, stoppedBy: data.requestedBy };
      if (accepted && data.reason === "idle-policy" && next.idleStoppedAt === null)
        next = { ...next, idleStoppedAt: data.observedAt };
      return next;
    case "start":
      return accepted ? withIdleStopSavingsClosed({ ...next, stoppedBy: null }, data.observedAt) : next;
    case "terminate":
      return !data.dryRun && (data.outcome === "accepted" || data.outcome === "already")
        ? { ...next, terminateRequestedBy: data.requestedBy }
        : next;
    default: {
      const unhandled: never = action;
      throw new TypeError(`unhandled lifecycle action ${String(unhandled)}`);
    }
  }
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
        // Activity ends the idle period, and with it the skip the idle policy recorded for it.
        idleStopSkipped: labsRunning ? null : state.idleStopSkipped,
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
    case "start_requested":
    case "stop_requested":
    case "terminate_requested":
      return withLifecycleRequest(state, event);
    case "idle_stop_skipped":
      return { ...state, idleStopSkipped: { reason: event.data.reason, at: event.data.observedAt } };
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
