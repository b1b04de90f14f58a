import { z } from "zod";
import {
  idleStopModeSchema,
  idleStopSkipReasonSchema,
  licenseStatusSchema,
  lifecycleOutcomeSchema,
  lifecycleReasonSchema,
  serviceStatusSchema,
  sourceSchema,
  statusCheckSchema,
  workerStatusSchema,
} from "./enums.ts";
import { lifecycleRequestIdSchema, requestedBySchema } from "./lifecycle.ts";
import { defineMessage } from "./message-definition.ts";
import {
  instanceIdSchema,
  nonNegativeIntSchema,
  partialFailureSchema,
  percentSchema,
  regionSchema,
  timestampSchema,
  workerIdSchema,
} from "./primitives.ts";
import { boundedSystemInfoSchema } from "./worker-state.ts";

/** Fields every domain event carries: the worker and the aggregate version that produced it. */
const base = {
  workerId: workerIdSchema,
  version: z.number().int().positive().describe("Aggregate version after the decision that emitted it"),
  observedAt: timestampSchema.describe("Time of the observation or command the decision was made on"),
};

export const registeredSchema = z.object({
  ...base,
  region: regionSchema,
  instanceId: instanceIdSchema,
  name: z.string().nullable(),
  httpsEndpoint: z.string().nullable(),
  createdBy: z.string(),
});
export const instanceAssignedSchema = z.object({
  ...base,
  region: regionSchema,
  instanceId: instanceIdSchema,
  name: z.string().nullable(),
  instanceType: z.string().nullable(),
  amiId: z.string().nullable(),
  amiName: z.string().nullable(),
  publicIp: z.string().nullable(),
  privateIp: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  detailedMonitoring: z.boolean().nullable(),
});
export const statusChangedSchema = z.object({
  ...base,
  oldStatus: workerStatusSchema,
  newStatus: workerStatusSchema,
});
export const serviceStatusChangedSchema = z.object({
  ...base,
  oldStatus: serviceStatusSchema,
  newStatus: serviceStatusSchema,
  httpsEndpoint: z.string().nullable(),
});
export const endpointChangedSchema = z.object({
  ...base,
  oldEndpoint: z.string().nullable(),
  newEndpoint: z.string().nullable(),
  publicIp: z.string().nullable(),
  privateIp: z.string().nullable(),
  pinned: z
    .boolean()
    .describe("True when the `cml:endpoint` tag or the registration fixed it (IP changes do not move it)"),
});
export const licenseChangedSchema = z.object({
  ...base,
  oldStatus: licenseStatusSchema.nullable(),
  newStatus: licenseStatusSchema.nullable(),
});
export const ec2MetricsUpdatedSchema = z.object({
  ...base,
  instanceState: z.string(),
  instanceStatusCheck: statusCheckSchema,
  systemStatusCheck: statusCheckSchema,
  checkedAt: timestampSchema,
});
export const cloudwatchMetricsUpdatedSchema = z.object({
  ...base,
  cpuUtilization: percentSchema.nullable(),
  memoryUtilization: percentSchema.nullable(),
  periodSeconds: z.number().int().positive(),
  detailedMonitoring: z.boolean(),
  datapointAt: timestampSchema.nullable(),
  stale: z.boolean(),
  memoryError: partialFailureSchema
    .nullable()
    .optional()
    .describe("Why memory could not be read while CPU could; it becomes the CloudWatch block's last error"),
  collectedAt: timestampSchema,
});
export const cmlMetricsUpdatedSchema = z.object({
  ...base,
  ready: z.boolean(),
  cmlVersion: z.string().nullable().describe("CML release (`version` is the aggregate version)"),
  uptimeSeconds: nonNegativeIntSchema.nullable(),
  labsCount: nonNegativeIntSchema.nullable(),
  runningLabsCount: nonNegativeIntSchema.nullable(),
  licenseStatus: licenseStatusSchema.nullable(),
  cpuPercent: percentSchema.nullable(),
  memoryUsedPercent: percentSchema.nullable(),
  diskUsedPercent: percentSchema.nullable(),
  runningNodes: nonNegativeIntSchema.nullable(),
  systemInfo: boundedSystemInfoSchema,
  syncedAt: timestampSchema,
});
/**
 * `errorType` of a `source_failed` the aggregate itself emits for an observation it could not store (the worker's
 * record would exceed what NATS accepts); the observation was dropped, the source itself may be fine.
 */
export const INPUT_REJECTED_ERROR_TYPE = "InputRejected";

export const sourceFailedEventSchema = z.object({
  ...base,
  source: sourceSchema,
  errorType: z
    .string()
    .describe(
      `The source's failure (\`<source>.failed\` errorType), or \`${INPUT_REJECTED_ERROR_TYPE}\`: the aggregate could not store the observation`,
    ),
  errorMessage: z.string(),
  retryable: z.boolean(),
  failedAt: timestampSchema,
});
export const idleDetectedSchema = z.object({
  ...base,
  lastActivityAt: timestampSchema,
  idleMinutes: nonNegativeIntSchema,
  thresholdMinutes: nonNegativeIntSchema,
});
export const terminatedSchema = z.object({
  ...base,
  terminatedAt: timestampSchema,
  terminatedBy: z
    .string()
    .describe(
      "Who asked for the termination AWS confirmed (API token name), else `ec2` (done outside the system)",
    ),
});
/** `start_requested`, `stop_requested`, `terminate_requested`: a lifecycle request and what EC2 made of it. */
export const lifecycleRequestedSchema = z.object({
  ...base,
  requestId: lifecycleRequestIdSchema,
  requestedBy: requestedBySchema,
  reason: lifecycleReasonSchema,
  dryRun: z.boolean(),
  outcome: lifecycleOutcomeSchema,
  previousState: z.string().nullable().describe("EC2 instance state before the call"),
  currentState: z.string().nullable().describe("EC2 instance state after the call (e.g. `stopping`)"),
  errorType: z
    .string()
    .nullable()
    .describe("Why it was rejected (`unauthorized`, `incorrect_state`, …); null otherwise"),
  errorMessage: z.string().nullable(),
});
export const idleStopSkippedSchema = z.object({
  ...base,
  reason: idleStopSkipReasonSchema,
  mode: idleStopModeSchema,
  idleSince: timestampSchema.describe("Start of the idle period"),
  idleMinutes: nonNegativeIntSchema.describe("Minutes idle when the policy decided"),
});

const at = "2026-11-25T12:00:00.000Z";
const ex = { workerId: "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10", version: 7, observedAt: at };

function domain<S extends z.ZodType>(name: string, schema: S, description: string, example: z.input<S>) {
  return defineMessage({
    type: `io.cml-telemetry.worker.${name}.v1`,
    kind: "domain",
    schema,
    channel: `cml.worker.{workerId}.${name}`,
    description,
    example,
  });
}

/** Domain events of the worker aggregate, keyed by their subject/event name. */
export const domainEvents = {
  registered: domain("registered", registeredSchema, "A worker was registered.", {
    ...ex,
    region: "us-east-1",
    instanceId: "i-0123456789abcdef0",
    name: "cml-lab-01",
    httpsEndpoint: null,
    createdBy: "discovery",
  }),
  instance_assigned: domain(
    "instance_assigned",
    instanceAssignedSchema,
    "The worker's EC2 instance details as a discovery saw them: emitted for every discovery taken, changed or not (its time is the clock of the details and of the status it saw).",
    {
      ...ex,
      region: "us-east-1",
      instanceId: "i-0123456789abcdef0",
      name: "cml-lab-01",
      instanceType: "m5zn.metal",
      amiId: "ami-0abcdef1234567890",
      amiName: "cml-2.9.1",
      publicIp: "203.0.113.10",
      privateIp: "10.0.1.15",
      tags: { "cml:worker": "true", Name: "cml-lab-01" },
      detailedMonitoring: false,
    },
  ),
  status_changed: domain("status_changed", statusChangedSchema, "The EC2-derived worker status changed.", {
    ...ex,
    oldStatus: "PENDING",
    newStatus: "RUNNING",
  }),
  service_status_changed: domain(
    "service_status_changed",
    serviceStatusChangedSchema,
    "The CML application availability changed.",
    { ...ex, oldStatus: "STARTING", newStatus: "AVAILABLE", httpsEndpoint: "https://203.0.113.10" },
  ),
  endpoint_changed: domain("endpoint_changed", endpointChangedSchema, "The worker's CML endpoint changed.", {
    ...ex,
    oldEndpoint: "https://203.0.113.10",
    newEndpoint: "https://203.0.113.11",
    publicIp: "203.0.113.11",
    privateIp: "10.0.1.15",
    pinned: false,
  }),
  license_changed: domain(
    "license_changed",
    licenseChangedSchema,
    "The CML license status changed (the license itself is never published).",
    { ...ex, oldStatus: "EVALUATION", newStatus: "REGISTERED" },
  ),
  ec2_metrics_updated: domain(
    "ec2_metrics_updated",
    ec2MetricsUpdatedSchema,
    "A new EC2 status observation was accepted.",
    { ...ex, instanceState: "running", instanceStatusCheck: "ok", systemStatusCheck: "ok", checkedAt: at },
  ),
  cloudwatch_metrics_updated: domain(
    "cloudwatch_metrics_updated",
    cloudwatchMetricsUpdatedSchema,
    "A new CloudWatch observation was accepted.",
    {
      ...ex,
      cpuUtilization: 12.5,
      memoryUtilization: 40.1,
      periodSeconds: 300,
      detailedMonitoring: false,
      datapointAt: "2026-11-25T11:50:00.000Z",
      stale: false,
      collectedAt: at,
    },
  ),
  cml_metrics_updated: domain(
    "cml_metrics_updated",
    cmlMetricsUpdatedSchema,
    "A new CML observation was accepted.",
    {
      ...ex,
      ready: true,
      cmlVersion: "2.9.1+build.7",
      uptimeSeconds: 3600,
      labsCount: 4,
      runningLabsCount: 1,
      licenseStatus: "REGISTERED",
      cpuPercent: 4.2,
      memoryUsedPercent: 16.7,
      diskUsedPercent: 69.1,
      runningNodes: 8,
      systemInfo: { version: "2.9.1+build.7", ready: true },
      syncedAt: at,
    },
  ),
  source_failed: domain(
    "source_failed",
    sourceFailedEventSchema,
    "A source could not be read for this worker.",
    {
      ...ex,
      source: "cml",
      errorType: "CmlUnreachable",
      errorMessage: "connect ECONNREFUSED",
      retryable: true,
      failedAt: at,
    },
  ),
  idle_detected: domain(
    "idle_detected",
    idleDetectedSchema,
    "The worker has had no running labs for longer than the idle threshold (once per idle period).",
    { ...ex, lastActivityAt: "2026-11-25T11:00:00.000Z", idleMinutes: 60, thresholdMinutes: 30 },
  ),
  start_requested: domain(
    "start_requested",
    lifecycleRequestedSchema,
    "A start of the worker's instance was asked for, with what EC2 made of it (outcome).",
    {
      ...ex,
      requestId: "4c0e1f5a-6d3b-4a8e-9f21-0b7c5d2e8a91",
      requestedBy: "ops-team",
      reason: "operator",
      dryRun: false,
      outcome: "accepted",
      previousState: "stopped",
      currentState: "pending",
      errorType: null,
      errorMessage: null,
    },
  ),
  stop_requested: domain(
    "stop_requested",
    lifecycleRequestedSchema,
    "A stop of the worker's instance was asked for (by an operator or the idle policy), with what EC2 made of it.",
    {
      ...ex,
      requestId: "0d5e3b8c-2f4a-5c6d-8e9f-1a2b3c4d5e6f",
      requestedBy: "idle-policy",
      reason: "idle-policy",
      dryRun: true,
      outcome: "dry-run",
      previousState: "running",
      currentState: "running",
      errorType: null,
      errorMessage: null,
    },
  ),
  terminate_requested: domain(
    "terminate_requested",
    lifecycleRequestedSchema,
    "A termination of the worker's instance was asked for, with what EC2 made of it.",
    {
      ...ex,
      requestId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      requestedBy: "ops-team",
      reason: "operator",
      dryRun: false,
      outcome: "rejected",
      previousState: "running",
      currentState: "running",
      errorType: "unauthorized",
      errorMessage: "You are not authorized to perform this operation (ec2:TerminateInstances).",
    },
  ),
  idle_stop_skipped: domain(
    "idle_stop_skipped",
    idleStopSkippedSchema,
    "The idle auto-stop policy left an idle worker running, and why (once per idle period).",
    { ...ex, reason: "cml-unknown", mode: "on", idleSince: "2026-11-25T11:00:00.000Z", idleMinutes: 60 },
  ),
  terminated: domain("terminated", terminatedSchema, "The worker's instance was terminated (emitted once).", {
    ...ex,
    terminatedAt: at,
    terminatedBy: "ec2",
  }),
} as const;

export type DomainEventName = keyof typeof domainEvents;
export const DOMAIN_EVENT_NAMES = Object.keys(domainEvents) as DomainEventName[];

/** Discriminated union of domain events as plain data: `{ name, data }`. */
export type DomainEvent = {
  [K in DomainEventName]: { name: K; data: z.infer<(typeof domainEvents)[K]["schema"]> };
}[DomainEventName];

const NAME_BY_TYPE: ReadonlyMap<string, DomainEventName> = new Map(
  DOMAIN_EVENT_NAMES.map((name) => [domainEvents[name].type, name]),
);

/** The domain event name of a CloudEvent type, if it is one. */
export function domainEventNameOfType(type: string): DomainEventName | undefined {
  return NAME_BY_TYPE.get(type);
}
