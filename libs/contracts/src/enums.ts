import { z } from "zod";

/** The three telemetry sources, kept strictly separate everywhere. */
export const SOURCES = ["ec2", "cloudwatch", "cml"] as const;
export const sourceSchema = z.enum(SOURCES);
export type Source = z.infer<typeof sourceSchema>;

/** Worker status derived from the EC2 instance state (DESIGN §5). */
export const WORKER_STATUSES = [
  "PENDING",
  "RUNNING",
  "STOPPING",
  "STOPPED",
  "SHUTTING_DOWN",
  "TERMINATED",
  "UNKNOWN",
] as const;
export const workerStatusSchema = z.enum(WORKER_STATUSES);
export type WorkerStatus = z.infer<typeof workerStatusSchema>;

/** Availability of the CML application on a worker. */
export const SERVICE_STATUSES = ["UNAVAILABLE", "STARTING", "AVAILABLE", "ERROR"] as const;
export const serviceStatusSchema = z.enum(SERVICE_STATUSES);
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;

/** CML license status as the product reports it (CML's free-form strings are mapped onto these). */
export const LICENSE_STATUSES = ["UNREGISTERED", "REGISTERED", "EVALUATION", "EXPIRED", "INVALID"] as const;
export const licenseStatusSchema = z.enum(LICENSE_STATUSES);
export type LicenseStatus = z.infer<typeof licenseStatusSchema>;

/** EC2 instance and system status-check values (`DescribeInstanceStatus`). */
export const STATUS_CHECK_VALUES = [
  "ok",
  "impaired",
  "insufficient-data",
  "not-applicable",
  "initializing",
] as const;
export const statusCheckSchema = z.enum(STATUS_CHECK_VALUES);
export type StatusCheck = z.infer<typeof statusCheckSchema>;

/** Why a collect or discover command was issued. */
export const commandReasonSchema = z.enum(["schedule", "refresh"]);
export type CommandReason = z.infer<typeof commandReasonSchema>;

/**
 * The services of the system (each a folder under `services/`, publishing with CloudEvent source
 * `/cml-telemetry/<service>`), in pipeline order. The one list of service names: config, the launcher and the docs
 * import it, so a new service is one more line here (plus its config schema, which config then requires).
 */
export const SERVICES = [
  "collector-ec2",
  "collector-cloudwatch",
  "collector-cml",
  "worker-aggregate",
  "metrics-history",
  "api",
  "worker-lifecycle",
] as const;
export const serviceNameSchema = z.enum(SERVICES);
export type ServiceName = z.infer<typeof serviceNameSchema>;

/** What an operator or the idle policy can ask of a worker's instance (DESIGN §11). */
export const LIFECYCLE_ACTIONS = ["start", "stop", "terminate"] as const;
export const lifecycleActionSchema = z.enum(LIFECYCLE_ACTIONS);
export type LifecycleAction = z.infer<typeof lifecycleActionSchema>;

/** Why a lifecycle action was asked for: by an operator (API) or by the idle auto-stop policy. */
export const LIFECYCLE_REASONS = ["operator", "idle-policy"] as const;
export const lifecycleReasonSchema = z.enum(LIFECYCLE_REASONS);
export type LifecycleReason = z.infer<typeof lifecycleReasonSchema>;

/**
 * What became of a lifecycle action: `accepted` (EC2 took the call), `already` (the instance was in the target state
 * or on its way there: no state-changing call made), `rejected` (EC2 refused it, or a permission is missing),
 * `dry-run` (EC2 answered `DryRunOperation`: allowed, nothing changed).
 */
export const LIFECYCLE_OUTCOMES = ["accepted", "already", "rejected", "dry-run"] as const;
export const lifecycleOutcomeSchema = z.enum(LIFECYCLE_OUTCOMES);
export type LifecycleOutcome = z.infer<typeof lifecycleOutcomeSchema>;

/** `IDLE_STOP_MODE`: the idle auto-stop policy does nothing, records what it would do (EC2 `DryRun`), or stops. */
export const IDLE_STOP_MODES = ["off", "dry-run", "on"] as const;
export const idleStopModeSchema = z.enum(IDLE_STOP_MODES);
export type IdleStopMode = z.infer<typeof idleStopModeSchema>;

/** Why the idle policy left an idle worker running (`idle_stop_skipped`, once per idle period). */
export const IDLE_STOP_SKIP_REASONS = [
  "labs-running",
  "cml-unknown",
  "exempt",
  "snoozed",
  "maintenance-window",
] as const;
export const idleStopSkipReasonSchema = z.enum(IDLE_STOP_SKIP_REASONS);
export type IdleStopSkipReason = z.infer<typeof idleStopSkipReasonSchema>;

/** Maps an AWS EC2 instance state name onto the worker status. */
export function workerStatusFromInstanceState(stateName: string): WorkerStatus {
  switch (stateName) {
    case "pending":
      return "PENDING";
    case "running":
      return "RUNNING";
    case "stopping":
      return "STOPPING";
    case "stopped":
      return "STOPPED";
    case "shutting-down":
      return "SHUTTING_DOWN";
    case "terminated":
      return "TERMINATED";
    default:
      return "UNKNOWN";
  }
}
