import type {
  LastLifecycleAction,
  LicenseStatus,
  LifecycleAction,
  LifecycleOutcome,
  LifecycleReason,
  ServiceStatus,
  SourceError,
  StatusCheck,
  WorkerState,
  WorkerStatus,
} from "@cml-telemetry/contracts";
import type { IdleStopPolicyConfig } from "@cml-telemetry/lifecycle";
import type { PriceBook } from "../ports.ts";
import { type CostView, costView } from "./cost-view.ts";
import { type IdlePolicyView, idlePolicyView } from "./idle-policy-view.ts";
import { canConnect, cmlUptimeSeconds, isIdle } from "./worker-rules.ts";

/** `{ type, message, at }` of the last failure of a source. */
export interface SourceErrorView {
  type: string;
  message: string;
  at: string;
}

/** The last lifecycle request of a worker and its outcome. */
export interface LastLifecycleActionView {
  action: LifecycleAction;
  requested_by: string;
  reason: LifecycleReason;
  dry_run: boolean;
  outcome: LifecycleOutcome;
  request_id: string;
  at: string;
}

/** What the view of a worker needs besides the worker: the idle auto-stop policy and the prices. */
export interface WorkerViewContext {
  /** The idle auto-stop policy; its `thresholdMinutes` (`IDLE_THRESHOLD_MINUTES`) is also `is_idle`'s. */
  idlePolicy: IdleStopPolicyConfig;
  prices: PriceBook;
}

/** The parts of the view that depend on the worker's state alone, or on it and the time in a way the cache tracks. */
export type WorkerBaseView = Omit<WorkerView, "idle_policy" | "cost">;

/** The parts of the view that depend on the time, the policy and the prices: computed on every read. */
export type WorkerLifecycleView = Pick<WorkerView, "idle_policy" | "cost">;

/** The API's snake_case view of a worker (DESIGN §7, §11). */
export interface WorkerView {
  id: string;
  name: string | null;
  region: string;
  instance_id: string;
  instance_type: string | null;
  ami_id: string | null;
  ami_name: string | null;
  status: WorkerStatus;
  service_status: ServiceStatus;
  license_status: LicenseStatus | null;
  cml_version: string | null;
  https_endpoint: string | null;
  public_ip: string | null;
  private_ip: string | null;
  active_labs_count: number;
  last_activity_at: string | null;
  is_idle: boolean;
  can_connect: boolean;
  created_at: string;
  updated_at: string;
  terminated_at: string | null;
  terminated_by: string | null;
  stopped_by: string | null;
  last_lifecycle_action: LastLifecycleActionView | null;
  ec2_metrics: {
    instance_state_detail: string | null;
    instance_status_check: StatusCheck | null;
    system_status_check: StatusCheck | null;
    last_checked_at: string | null;
    last_error: SourceErrorView | null;
  };
  cloudwatch_metrics: {
    cpu_utilization: number | null;
    memory_utilization: number | null;
    datapoint_at: string | null;
    period_seconds: number | null;
    stale: boolean;
    last_collected_at: string | null;
    detailed_monitoring_enabled: boolean | null;
    last_error: SourceErrorView | null;
  };
  cml_metrics: {
    ready: boolean | null;
    uptime_seconds: number | null;
    labs_count: number | null;
    running_labs_count: number | null;
    version: string | null;
    license_status: LicenseStatus | null;
    cpu_percent: number | null;
    memory_used_percent: number | null;
    disk_used_percent: number | null;
    running_nodes: number | null;
    last_synced_at: string | null;
    system_info: Record<string, unknown> | null;
    last_error: SourceErrorView | null;
  };
  idle_policy: IdlePolicyView;
  cost: CostView;
}

function errorView(error: SourceError | null): SourceErrorView | null {
  return error === null ? null : { type: error.type, message: error.message, at: error.at };
}

function lastLifecycleActionView(last: LastLifecycleAction | null): LastLifecycleActionView | null {
  if (last === null) return null;
  return {
    action: last.action,
    requested_by: last.requestedBy,
    reason: last.reason,
    dry_run: last.dryRun,
    outcome: last.outcome,
    request_id: last.requestId,
    at: last.at,
  };
}

/**
 * The view of a worker at `now`: the KV worker state (camelCase) mapped onto the API's snake_case, with `is_idle`,
 * `can_connect`, uptime, the idle policy's state and the month-to-date cost computed.
 */
export function toWorkerView(state: WorkerState, now: Date, context: WorkerViewContext): WorkerView {
  return {
    ...toWorkerBaseView(state, now, context.idlePolicy.thresholdMinutes),
    ...toWorkerLifecycleView(state, now, context),
  };
}

/** `idle_policy` and `cost` of a worker at `now` (the last fields of the view). */
export function toWorkerLifecycleView(
  state: WorkerState,
  now: Date,
  context: WorkerViewContext,
): WorkerLifecycleView {
  return {
    idle_policy: idlePolicyView(state, now, context.idlePolicy),
    cost: costView(state, context.prices.hourlyUsd(state.region, state.instanceType), now),
  };
}

/** The view without `idle_policy` and `cost`: `is_idle`, `can_connect` and uptime computed at `now`. */
export function toWorkerBaseView(
  state: WorkerState,
  now: Date,
  idleThresholdMinutes: number,
): WorkerBaseView {
  const ec2 = state.ec2Metrics;
  const cw = state.cloudwatchMetrics;
  const cml = state.cmlMetrics;
  return {
    id: state.id,
    name: state.name,
    region: state.region,
    instance_id: state.instanceId,
    instance_type: state.instanceType,
    ami_id: state.amiId,
    ami_name: state.amiName,
    status: state.status,
    service_status: state.serviceStatus,
    license_status: state.licenseStatus,
    cml_version: state.cmlVersion,
    https_endpoint: state.httpsEndpoint,
    public_ip: state.publicIp,
    private_ip: state.privateIp,
    active_labs_count: state.activeLabsCount,
    last_activity_at: state.lastActivityAt,
    is_idle: isIdle(state, now, idleThresholdMinutes),
    can_connect: canConnect(state),
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    terminated_at: state.terminatedAt,
    terminated_by: state.terminatedBy,
    stopped_by: state.stoppedBy,
    last_lifecycle_action: lastLifecycleActionView(state.lastLifecycleAction),
    ec2_metrics: {
      instance_state_detail: ec2.instanceState,
      instance_status_check: ec2.instanceStatusCheck,
      system_status_check: ec2.systemStatusCheck,
      last_checked_at: ec2.lastCheckedAt,
      last_error: errorView(ec2.lastError),
    },
    cloudwatch_metrics: {
      cpu_utilization: cw.cpuUtilization,
      memory_utilization: cw.memoryUtilization,
      datapoint_at: cw.datapointAt,
      period_seconds: cw.periodSeconds,
      stale: cw.stale,
      last_collected_at: cw.lastCollectedAt,
      detailed_monitoring_enabled: cw.detailedMonitoringEnabled,
      last_error: errorView(cw.lastError),
    },
    cml_metrics: {
      ready: cml.ready,
      uptime_seconds: cmlUptimeSeconds(state, now),
      labs_count: cml.labsCount,
      running_labs_count: cml.runningLabsCount,
      version: cml.version,
      license_status: cml.licenseStatus,
      cpu_percent: cml.cpuPercent,
      memory_used_percent: cml.memoryUsedPercent,
      disk_used_percent: cml.diskUsedPercent,
      running_nodes: cml.runningNodes,
      last_synced_at: cml.lastSyncedAt,
      system_info: cml.systemInfo,
      last_error: errorView(cml.lastError),
    },
  };
}
