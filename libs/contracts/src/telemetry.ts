import { z } from "zod";
import {
  licenseStatusSchema,
  lifecycleActionSchema,
  lifecycleOutcomeSchema,
  lifecycleReasonSchema,
  statusCheckSchema,
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

const workerRef = {
  workerId: workerIdSchema,
  region: regionSchema,
  instanceId: instanceIdSchema,
};

export const ec2DiscoveredSchema = z.object({
  ...workerRef,
  name: z.string().nullable().describe("Value of the `Name` tag"),
  instanceType: z.string().min(1),
  amiId: z.string().min(1),
  amiName: z.string().nullable(),
  instanceState: z.string().min(1).describe("EC2 instance state name (pending, running, …)"),
  privateIp: z.string().nullable(),
  publicIp: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  launchTime: timestampSchema.nullable(),
  detailedMonitoring: z.boolean(),
  observedAt: timestampSchema,
});
export type Ec2Discovered = z.infer<typeof ec2DiscoveredSchema>;

export const ec2StatusSchema = z.object({
  ...workerRef,
  instanceState: z
    .string()
    .min(1)
    .describe("EC2 instance state name; `terminated` also for vanished instances"),
  instanceStatus: statusCheckSchema,
  systemStatus: statusCheckSchema,
  observedAt: timestampSchema,
});
export type Ec2Status = z.infer<typeof ec2StatusSchema>;

export const cloudwatchMetricsSchema = z.object({
  ...workerRef,
  cpuUtilization: percentSchema.nullable().describe("AWS/EC2 CPUUtilization, % (null: no datapoint)"),
  memoryUtilization: percentSchema
    .nullable()
    .describe("CWAgent mem_used_percent, % (null: no agent data — never 0)"),
  periodSeconds: z.number().int().positive().describe("60 with detailed monitoring, else 300"),
  datapointAt: timestampSchema.nullable().describe("Timestamp of the newest CPU datapoint"),
  memoryDatapointAt: timestampSchema.nullable().describe("Timestamp of the newest memory datapoint"),
  stale: z.boolean().describe("True when the newest datapoint is older than expected for the period"),
  detailedMonitoring: z.boolean(),
  memoryError: partialFailureSchema
    .nullable()
    .optional()
    .describe(
      "Why memory could not be read while CPU could (e.g. `access_denied` when `cloudwatch:ListMetrics` is not allowed); null or absent otherwise",
    ),
  observedAt: timestampSchema,
});
export type CloudwatchMetrics = z.infer<typeof cloudwatchMetricsSchema>;

export const cmlMetricsSchema = z.object({
  ...workerRef,
  ready: z.boolean(),
  version: z.string().nullable(),
  uptimeSeconds: nonNegativeIntSchema.nullable().describe("Always null for CML 2.x (not reported)"),
  labsCount: nonNegativeIntSchema.nullable(),
  runningLabsCount: nonNegativeIntSchema.nullable(),
  licenseStatus: licenseStatusSchema.nullable(),
  cpuPercent: percentSchema.nullable(),
  memoryUsedPercent: percentSchema.nullable(),
  diskUsedPercent: percentSchema.nullable(),
  runningNodes: nonNegativeIntSchema.nullable(),
  systemInfo: z.record(z.string(), z.unknown()).nullable().describe("Raw /system_information body"),
  observedAt: timestampSchema,
});
export type CmlMetrics = z.infer<typeof cmlMetricsSchema>;

/**
 * Known `errorType` values. CML: `CmlUnreachable`, `CmlBooting`, `CmlAuthFailed`, `CmlBadResponse`,
 * `deadline_exceeded` (a call outlived its overall deadline), `response_too_large`, `tls_fingerprint_changed`
 * (the certificate is not the pinned one); AWS: see `awsErrorTypes` (`Throttled`, `AwsError`, `not_found`,
 * `malformed_id`, `access_denied`, `metric_internal_error`, `metric_forbidden`). Consumers must accept others.
 */
export const sourceFailedSchema = z.object({
  ...workerRef,
  errorType: z.string().min(1),
  errorMessage: z.string(),
  retryable: z.boolean(),
  observedAt: timestampSchema,
});
export type SourceFailed = z.infer<typeof sourceFailedSchema>;

/**
 * `errorType` values of a `rejected` lifecycle outcome (`ec2.action`). Consumers must accept others.
 */
export const lifecycleErrorTypes = {
  /** EC2 `UnauthorizedOperation`: the service's IAM identity may not make the call (the message names the action). */
  unauthorized: "unauthorized",
  /** EC2 `IncorrectInstanceState`: the instance is in a state the call does not accept (e.g. start while stopping). */
  incorrectState: "incorrect_state",
  /** EC2 `InvalidInstanceID.NotFound`: EC2 does not know the instance (gone, wrong region, not visible yet). */
  notFound: "not_found",
  /** EC2 `UnsupportedOperation` (e.g. stopping an instance-store-backed instance). */
  unsupported: "unsupported",
  /** Any other refusal of EC2 that a retry would not change. */
  awsError: "aws_error",
} as const;

export const ec2ActionSchema = z.object({
  ...workerRef,
  action: lifecycleActionSchema,
  requestedBy: requestedBySchema,
  reason: lifecycleReasonSchema,
  dryRun: z.boolean(),
  requestId: lifecycleRequestIdSchema,
  outcome: lifecycleOutcomeSchema,
  previousState: z
    .string()
    .nullable()
    .describe("EC2 instance state before the call (from EC2's answer, else the state read just before)"),
  currentState: z
    .string()
    .nullable()
    .describe("EC2 instance state after the call (e.g. `stopping`), or as read when no call was made"),
  errorType: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Why it was rejected: `unauthorized`, `incorrect_state`, `not_found`, `unsupported`, `aws_error` (consumers must accept others)",
    ),
  errorMessage: z.string().optional(),
  observedAt: timestampSchema,
});
export type Ec2Action = z.infer<typeof ec2ActionSchema>;

const exampleRef = {
  workerId: "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10",
  region: "us-east-1",
  instanceId: "i-0123456789abcdef0",
};
const at = "2026-11-25T12:00:00.000Z";

const failedExample = {
  ...exampleRef,
  errorType: "CmlUnreachable",
  errorMessage: "connect ECONNREFUSED",
  retryable: true,
  observedAt: at,
};

export const telemetry = {
  ec2Discovered: defineMessage({
    type: "io.cml-telemetry.ec2.discovered.v1",
    kind: "telemetry",
    schema: ec2DiscoveredSchema,
    channel: "cml.telemetry.ec2.{workerId}",
    description: "An EC2 instance carrying the worker tag was seen (new or changed).",
    example: {
      ...exampleRef,
      name: "cml-lab-01",
      instanceType: "m5zn.metal",
      amiId: "ami-0abcdef1234567890",
      amiName: "cml-2.9.1",
      instanceState: "running",
      privateIp: "10.0.1.15",
      publicIp: "203.0.113.10",
      tags: { "cml:worker": "true", Name: "cml-lab-01" },
      launchTime: "2026-11-20T08:00:00.000Z",
      detailedMonitoring: false,
      observedAt: at,
    },
  }),
  ec2Status: defineMessage({
    type: "io.cml-telemetry.ec2.status.v1",
    kind: "telemetry",
    schema: ec2StatusSchema,
    channel: "cml.telemetry.ec2.{workerId}",
    description: "EC2 instance state and status checks of one worker.",
    example: {
      ...exampleRef,
      instanceState: "running",
      instanceStatus: "ok",
      systemStatus: "ok",
      observedAt: at,
    },
  }),
  cloudwatchMetrics: defineMessage({
    type: "io.cml-telemetry.cloudwatch.metrics.v1",
    kind: "telemetry",
    schema: cloudwatchMetricsSchema,
    channel: "cml.telemetry.cloudwatch.{workerId}",
    description: "Latest CloudWatch CPU and memory datapoints of one running worker.",
    example: {
      ...exampleRef,
      cpuUtilization: 12.5,
      memoryUtilization: null,
      periodSeconds: 300,
      datapointAt: "2026-11-25T11:50:00.000Z",
      memoryDatapointAt: null,
      stale: false,
      detailedMonitoring: false,
      observedAt: at,
    },
  }),
  cmlMetrics: defineMessage({
    type: "io.cml-telemetry.cml.metrics.v1",
    kind: "telemetry",
    schema: cmlMetricsSchema,
    channel: "cml.telemetry.cml.{workerId}",
    description: "CML application state of one worker (system_information, labs, licensing, system_stats).",
    example: {
      ...exampleRef,
      ready: true,
      version: "2.9.1+build.7",
      uptimeSeconds: null,
      labsCount: 4,
      runningLabsCount: 1,
      licenseStatus: "REGISTERED",
      cpuPercent: 4.2,
      memoryUsedPercent: 16.7,
      diskUsedPercent: 69.1,
      runningNodes: 8,
      systemInfo: { version: "2.9.1+build.7", ready: true },
      observedAt: at,
    },
  }),
  ec2Action: defineMessage({
    type: "io.cml-telemetry.ec2.action.v1",
    kind: "telemetry",
    schema: ec2ActionSchema,
    channel: "cml.telemetry.ec2.{workerId}",
    description:
      "Outcome of a lifecycle command (worker-lifecycle): what EC2 answered to StartInstances, StopInstances or TerminateInstances, or why no call was made. CloudEvent id `action:<workerId>:<action>:<requestId>`.",
    example: {
      ...exampleRef,
      action: "stop",
      requestedBy: "idle-policy",
      reason: "idle-policy",
      dryRun: false,
      requestId: "0d5e3b8c-2f4a-5c6d-8e9f-1a2b3c4d5e6f",
      outcome: "accepted",
      previousState: "running",
      currentState: "stopping",
      observedAt: at,
    },
  }),
  ec2Failed: defineMessage({
    type: "io.cml-telemetry.ec2.failed.v1",
    kind: "telemetry",
    schema: sourceFailedSchema,
    channel: "cml.telemetry.ec2.{workerId}",
    description: "EC2 could not be read for this worker.",
    example: { ...failedExample, errorType: "Throttled", errorMessage: "RequestLimitExceeded" },
  }),
  cloudwatchFailed: defineMessage({
    type: "io.cml-telemetry.cloudwatch.failed.v1",
    kind: "telemetry",
    schema: sourceFailedSchema,
    channel: "cml.telemetry.cloudwatch.{workerId}",
    description: "CloudWatch could not be read for this worker.",
    example: { ...failedExample, errorType: "Throttled", errorMessage: "Rate exceeded" },
  }),
  cmlFailed: defineMessage({
    type: "io.cml-telemetry.cml.failed.v1",
    kind: "telemetry",
    schema: sourceFailedSchema,
    channel: "cml.telemetry.cml.{workerId}",
    description:
      "The CML application of this worker could not be read (unreachable, booting, auth, bad response).",
    example: failedExample,
  }),
} as const;

/** The failure message definition of a source. */
export function failedDefinitionOf(source: "ec2" | "cloudwatch" | "cml") {
  switch (source) {
    case "ec2":
      return telemetry.ec2Failed;
    case "cloudwatch":
      return telemetry.cloudwatchFailed;
    case "cml":
      return telemetry.cmlFailed;
  }
}
