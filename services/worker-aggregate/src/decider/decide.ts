import {
  type CloudwatchMetrics,
  type CmlMetrics,
  type DomainEvent,
  type Ec2Action,
  type Ec2Discovered,
  type Ec2Status,
  type IdlePolicyCommand,
  type RegisterWorkerCommand,
  type Source,
  type WorkerState,
  workerStatusFromInstanceState,
} from "@cml-telemetry/contracts";
import { idleSinceOf } from "@cml-telemetry/lifecycle";
import { boundSystemInfo } from "./bound-system-info.ts";
import { cmlReadingsOf } from "./cml-readings.ts";
import type { DetectIdleData, SourceFailedData, WorkerCommand } from "./commands.ts";
import { isKnown } from "./initial-state.ts";
import { instanceDetailsOf } from "./instance-details.ts";
import { belongsToCurrentRun, takesStatusObservation } from "./observation-clocks.ts";
import {
  discoveredEndpoint,
  isIdle,
  isPinnedByRegistration,
  NAME_TAG,
  serviceStatusOfCmlFailure,
  serviceStatusOfReady,
} from "./rules.ts";
import { isNewer, minutesBetween, uptimeSeconds } from "./uptime.ts";

/** Fields every event of one decision shares. */
interface EventBase {
  workerId: string;
  version: number;
  observedAt: string;
}

function baseOf(state: WorkerState, observedAt: string): EventBase {
  return { workerId: state.id, version: state.version + 1, observedAt };
}

/** Whether a worker accepts telemetry: it exists and was not terminated (a terminated worker keeps its last state). */
function acceptsTelemetry(state: WorkerState): boolean {
  return isKnown(state) && state.terminatedAt === null;
}

/**
 * status_changed (+ service_status_changed when leaving RUNNING takes the CML service down, + terminated, once) for an
 * EC2 instance state observed at `base.observedAt`, if it is the newest status observation. Its time moves the status
 * clock through the event that carries it (`instance_assigned`, `ec2_metrics_updated`, `<action>_requested`), whether
 * the status changed or not. `terminated` names who asked for the termination AWS confirms (`terminatedBy`), else
 * `ec2`.
 */
function statusEvents(
  state: WorkerState,
  instanceState: string,
  base: EventBase,
  terminatedBy: string = state.terminateRequestedBy ?? "ec2",
): DomainEvent[] {
  if (!takesStatusObservation(state, base.observedAt)) return [];
  const events: DomainEvent[] = [];
  const newStatus = workerStatusFromInstanceState(instanceState);
  if (newStatus !== state.status) {
    events.push({ name: "status_changed", data: { ...base, oldStatus: state.status, newStatus } });
  }
  if (newStatus !== "RUNNING" && state.serviceStatus !== "UNAVAILABLE") {
    events.push({
      name: "service_status_changed",
      data: {
        ...base,
        oldStatus: state.serviceStatus,
        newStatus: "UNAVAILABLE",
        httpsEndpoint: state.httpsEndpoint,
      },
    });
  }
  if (newStatus === "TERMINATED" && state.terminatedAt === null) {
    events.push({
      name: "terminated",
      data: { ...base, terminatedAt: base.observedAt, terminatedBy },
    });
  }
  return events;
}

function decideDiscovered(data: Ec2Discovered, state: WorkerState): DomainEvent[] {
  const known = isKnown(state);
  if (known && !acceptsTelemetry(state)) return [];
  if (known && !isNewer(data.observedAt, state.lastDiscoveredAt)) return [];
  const base = baseOf(state, data.observedAt);
  const events: DomainEvent[] = [];
  if (!known) {
    events.push({
      name: "registered",
      data: {
        ...base,
        region: data.region,
        instanceId: data.instanceId,
        name: data.name,
        httpsEndpoint: null,
        createdBy: "discovery",
      },
    });
  }
  // The Name tag renames the worker when it changes in AWS; otherwise a name given at registration stays.
  const nameTagChanged = !known || data.name !== (state.tags[NAME_TAG] ?? null);
  const name = nameTagChanged ? (data.name ?? state.name) : state.name;
  // Every accepted discovery is recorded, changed or not: its time is the clock of the instance details (and of the
  // status it saw), so an older discovery or status check arriving later cannot roll them back.
  events.push({
    name: "instance_assigned",
    data: {
      ...base,
      region: data.region,
      instanceId: data.instanceId,
      name,
      ...instanceDetailsOf(data),
    },
  });
  const derived = discoveredEndpoint(data.tags, data.publicIp);
  const target =
    !derived.pinned && isPinnedByRegistration(state)
      ? { endpoint: state.httpsEndpoint, pinned: true }
      : derived;
  if (target.endpoint !== state.httpsEndpoint || target.pinned !== state.endpointPinned) {
    events.push({
      name: "endpoint_changed",
      data: {
        ...base,
        oldEndpoint: state.httpsEndpoint,
        newEndpoint: target.endpoint,
        publicIp: data.publicIp,
        privateIp: data.privateIp,
        pinned: target.pinned,
      },
    });
  }
  events.push(...statusEvents(state, data.instanceState, base));
  return events;
}

function decideEc2Status(data: Ec2Status, state: WorkerState): DomainEvent[] {
  if (!takesSourceInput(state, "ec2", data.observedAt)) return [];
  const base = baseOf(state, data.observedAt);
  const events: DomainEvent[] = [
    {
      name: "ec2_metrics_updated",
      data: {
        ...base,
        instanceState: data.instanceState,
        instanceStatusCheck: data.instanceStatus,
        systemStatusCheck: data.systemStatus,
        checkedAt: data.observedAt,
      },
    },
  ];
  events.push(...statusEvents(state, data.instanceState, base));
  return events;
}

function decideCloudwatch(data: CloudwatchMetrics, state: WorkerState): DomainEvent[] {
  if (!takesSourceInput(state, "cloudwatch", data.observedAt)) return [];
  return [
    {
      name: "cloudwatch_metrics_updated",
      data: {
        ...baseOf(state, data.observedAt),
        cpuUtilization: data.cpuUtilization,
        memoryUtilization: data.memoryUtilization,
        periodSeconds: data.periodSeconds,
        detailedMonitoring: data.detailedMonitoring,
        datapointAt: data.datapointAt,
        stale: data.stale,
        ...(data.memoryError ? { memoryError: data.memoryError } : {}),
        collectedAt: data.observedAt,
      },
    },
  ];
}

function decideCml(data: CmlMetrics, state: WorkerState): DomainEvent[] {
  if (!takesSourceInput(state, "cml", data.observedAt)) return [];
  const base = baseOf(state, data.observedAt);
  const events: DomainEvent[] = [];
  const newServiceStatus = serviceStatusOfReady(data.ready);
  if (newServiceStatus !== state.serviceStatus) {
    events.push({
      name: "service_status_changed",
      data: {
        ...base,
        oldStatus: state.serviceStatus,
        newStatus: newServiceStatus,
        httpsEndpoint: state.httpsEndpoint,
      },
    });
  }
  if (data.licenseStatus !== null && data.licenseStatus !== state.licenseStatus) {
    events.push({
      name: "license_changed",
      data: { ...base, oldStatus: state.licenseStatus, newStatus: data.licenseStatus },
    });
  }
  const readySince = state.cmlReadySince ?? data.observedAt;
  events.push({
    name: "cml_metrics_updated",
    data: {
      ...base,
      ...cmlReadingsOf(data),
      cmlVersion: data.version,
      uptimeSeconds: data.ready ? (data.uptimeSeconds ?? uptimeSeconds(readySince, data.observedAt)) : null,
      systemInfo: boundSystemInfo(data.systemInfo),
      syncedAt: data.observedAt,
    },
  });
  return events;
}

/** The observation clock of a source's block: the newest input of that source taken (success or failure). */
function lastObservedOf(state: WorkerState, source: Source): string | null {
  switch (source) {
    case "ec2":
      return state.ec2Metrics.lastObservedAt;
    case "cloudwatch":
      return state.cloudwatchMetrics.lastObservedAt;
    case "cml":
      return state.cmlMetrics.lastObservedAt;
    default: {
      const unhandled: never = source;
      throw new TypeError(`unhandled source ${String(unhandled)}`);
    }
  }
}

/**
 * Whether an input of `source` observed at `observedAt` is taken: the worker accepts telemetry, the input is newer
 * than the last one of that source, and a CML or CloudWatch input belongs to the current run of a RUNNING worker.
 */
function takesSourceInput(state: WorkerState, source: Source, observedAt: string): boolean {
  if (!acceptsTelemetry(state) || !isNewer(observedAt, lastObservedOf(state, source))) return false;
  switch (source) {
    case "ec2":
      return true;
    case "cloudwatch":
    case "cml":
      return belongsToCurrentRun(state, observedAt);
    default: {
      const unhandled: never = source;
      throw new TypeError(`unhandled source ${String(unhandled)}`);
    }
  }
}

function decideFailed(data: SourceFailedData, state: WorkerState): DomainEvent[] {
  if (!takesSourceInput(state, data.source, data.observedAt)) return [];
  const base = baseOf(state, data.observedAt);
  const events: DomainEvent[] = [];
  if (data.source === "cml") {
    const newServiceStatus = serviceStatusOfCmlFailure(data.errorType);
    if (newServiceStatus !== null && newServiceStatus !== state.serviceStatus) {
      events.push({
        name: "service_status_changed",
        data: {
          ...base,
          oldStatus: state.serviceStatus,
          newStatus: newServiceStatus,
          httpsEndpoint: state.httpsEndpoint,
        },
      });
    }
  }
  events.push({
    name: "source_failed",
    data: {
      ...base,
      source: data.source,
      errorType: data.errorType,
      errorMessage: data.errorMessage,
      retryable: data.retryable,
      failedAt: data.observedAt,
    },
  });
  return events;
}

/** A registration of a known worker applies its name and pins its endpoint, unless the `cml:endpoint` tag pins one. */
function decideReregister(data: RegisterWorkerCommand, state: WorkerState, now: Date): DomainEvent[] {
  if (!acceptsTelemetry(state)) return [];
  const base = baseOf(state, now.toISOString());
  const events: DomainEvent[] = [];
  if (data.name !== undefined && data.name !== state.name) {
    events.push({
      name: "instance_assigned",
      data: {
        ...base,
        region: state.region,
        instanceId: state.instanceId,
        name: data.name,
        instanceType: state.instanceType,
        amiId: state.amiId,
        amiName: state.amiName,
        publicIp: state.publicIp,
        privateIp: state.privateIp,
        tags: state.tags,
        detailedMonitoring: state.detailedMonitoring,
      },
    });
  }
  const taggedEndpoint = discoveredEndpoint(state.tags, state.publicIp).pinned;
  const endpoint = data.httpsEndpoint;
  if (
    endpoint !== undefined &&
    !taggedEndpoint &&
    (endpoint !== state.httpsEndpoint || !state.endpointPinned)
  ) {
    events.push({
      name: "endpoint_changed",
      data: {
        ...base,
        oldEndpoint: state.httpsEndpoint,
        newEndpoint: endpoint,
        publicIp: state.publicIp,
        privateIp: state.privateIp,
        pinned: true,
      },
    });
  }
  return events;
}

function decideRegister(data: RegisterWorkerCommand, state: WorkerState, now: Date): DomainEvent[] {
  if (isKnown(state)) return decideReregister(data, state, now);
  return [
    {
      name: "registered",
      data: {
        ...baseOf(state, now.toISOString()),
        region: data.region,
        instanceId: data.instanceId,
        name: data.name ?? null,
        httpsEndpoint: data.httpsEndpoint ?? null,
        createdBy: data.requestedBy,
      },
    },
  ];
}

function decideDetectIdle(data: DetectIdleData, state: WorkerState, now: Date): DomainEvent[] {
  if (!acceptsTelemetry(state) || state.idleDetectedAt !== null) return [];
  if (state.lastActivityAt === null || !isIdle(state, now, data.thresholdMinutes)) return [];
  const at = now.toISOString();
  return [
    {
      name: "idle_detected",
      data: {
        ...baseOf(state, at),
        lastActivityAt: state.lastActivityAt,
        idleMinutes: minutesBetween(state.lastActivityAt, at),
        thresholdMinutes: data.thresholdMinutes,
      },
    },
  ];
}

/** Whether an outcome is a request EC2 carried out or found carried out (not a dry run, not refused). */
function takesEffect(data: Ec2Action): boolean {
  return !data.dryRun && (data.outcome === "accepted" || data.outcome === "already");
}

/** The `<action>_requested` event of a lifecycle outcome. */
function lifecycleRequestedEvent(data: Ec2Action, base: EventBase): DomainEvent {
  const fields = {
    ...base,
    requestId: data.requestId,
    requestedBy: data.requestedBy,
    reason: data.reason,
    dryRun: data.dryRun,
    outcome: data.outcome,
    previousState: data.previousState,
    currentState: data.currentState,
    errorType: data.errorType ?? null,
    errorMessage: data.errorMessage ?? null,
  };
  switch (data.action) {
    case "start":
      return { name: "start_requested", data: fields };
    case "stop":
      return { name: "stop_requested", data: fields };
    case "terminate":
      return { name: "terminate_requested", data: fields };
    default: {
      const unhandled: never = data.action;
      throw new TypeError(`unhandled lifecycle action ${String(unhandled)}`);
    }
  }
}

/**
 * The outcome of a lifecycle request (`ec2.action`): `<action>_requested` with who asked, why and what EC2 made of it
 * (kept on a terminated worker too: it is the audit trail), once per request; the EC2 state the answer reports is an
 * observation of EC2 at `observedAt` and moves the status by the usual clock rules. A terminate EC2 took names its
 * requester in the `terminated` event when AWS confirms it.
 */
function decideEc2Action(data: Ec2Action, state: WorkerState): DomainEvent[] {
  if (!isKnown(state)) return [];
  const last = state.lastLifecycleAction;
  if (last !== null && last.requestId === data.requestId && last.action === data.action) return [];
  const base = baseOf(state, data.observedAt);
  const events = [lifecycleRequestedEvent(data, base)];
  if (data.currentState !== null && state.terminatedAt === null) {
    const requester = data.action === "terminate" && takesEffect(data) ? data.requestedBy : undefined;
    events.push(
      ...statusEvents(state, data.currentState, base, requester ?? state.terminateRequestedBy ?? "ec2"),
    );
  }
  return events;
}

/**
 * A skip of the idle auto-stop policy: `idle_stop_skipped` once per idle period, only for the period it was decided
 * on (the worker is still RUNNING and idle since the same time) and when the period has none yet.
 */
function decideIdlePolicy(data: IdlePolicyCommand, state: WorkerState): DomainEvent[] {
  if (!acceptsTelemetry(state) || state.status !== "RUNNING" || state.idleStopSkipped !== null) return [];
  const idleSince = idleSinceOf(state);
  if (idleSince === null || Date.parse(idleSince) !== Date.parse(data.idleSince)) return [];
  return [
    {
      name: "idle_stop_skipped",
      data: {
        ...baseOf(state, data.evaluatedAt),
        reason: data.reason,
        mode: data.mode,
        idleSince,
        idleMinutes: minutesBetween(idleSince, data.evaluatedAt),
      },
    },
  ];
}

/**
 * The worker Decider: which domain events a command produces against the current state. Pure; `now` is injected.
 * Every event of one decision carries `version = state.version + 1`; no events means nothing changed.
 * @example const events = decide(command, state, new Date());
 */
export function decide(command: WorkerCommand, state: WorkerState, now: Date): DomainEvent[] {
  switch (command.type) {
    case "ec2.discovered":
      return decideDiscovered(command.data, state);
    case "ec2.status":
      return decideEc2Status(command.data, state);
    case "cloudwatch.metrics":
      return decideCloudwatch(command.data, state);
    case "cml.metrics":
      return decideCml(command.data, state);
    case "source.failed":
      return decideFailed(command.data, state);
    case "register":
      return decideRegister(command.data, state, now);
    case "detectIdle":
      return decideDetectIdle(command.data, state, now);
    case "ec2.action":
      return decideEc2Action(command.data, state);
    case "idlePolicy":
      return decideIdlePolicy(command.data, state);
    default: {
      const unhandled: never = command;
      throw new TypeError(`unhandled worker command ${JSON.stringify(unhandled)}`);
    }
  }
}
