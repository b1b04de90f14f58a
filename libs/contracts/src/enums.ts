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
] as const;
export const serviceNameSchema = z.enum(SERVICES);
export type ServiceName = z.infer<typeof serviceNameSchema>;

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
