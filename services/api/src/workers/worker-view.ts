import type {
  LicenseStatus,
  ServiceStatus,
  SourceError,
  StatusCheck,
  WorkerState,
  WorkerStatus,
} from "@cml-telemetry/contracts";
import { canConnect, cmlUptimeSeconds, isIdle } from "./worker-rules.ts";

/** `{ type, message, at }` of the last failure of a source. */
export interface SourceErrorView {
  type: string;
  message: string;
  at: string;
}

/** The API's snake_case view of a worker (DESIGN §7). */
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
}

function errorView(error: SourceError | null): SourceErrorView | null {
  return error === null ? null : { type: error.type, message: error.message, at: error.at };
}

/** Maps the KV worker state (camelCase) onto the API view, computing `is_idle`, `can_connect` and uptime at `now`. */
export function toWorkerView(state: WorkerState, now: Date, idleThresholdMinutes: number): WorkerView {
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
