import { z } from "zod";
import {
  idleStopSkipReasonSchema,
  licenseStatusSchema,
  lifecycleActionSchema,
  lifecycleOutcomeSchema,
  lifecycleReasonSchema,
  serviceStatusSchema,
  statusCheckSchema,
  workerStatusSchema,
} from "./enums.ts";
import { lifecycleRequestIdSchema, requestedBySchema } from "./lifecycle.ts";
import { nonNegativeIntSchema, timestampSchema } from "./primitives.ts";

/**
 * EC2 tag that fixes a worker's CML endpoint whatever its IP addresses: it wins over an endpoint given at
 * registration, which in turn wins over `https://<publicIp>`.
 */
export const ENDPOINT_TAG = "cml:endpoint";

/** The last failure of a source: `{ type, message, at }`. */
export const sourceErrorSchema = z.object({
  type: z.string(),
  message: z.string(),
  at: timestampSchema,
});
export type SourceError = z.infer<typeof sourceErrorSchema>;

export const ec2MetricsBlockSchema = z.object({
  instanceState: z.string().nullable(),
  instanceStatusCheck: statusCheckSchema.nullable(),
  systemStatusCheck: statusCheckSchema.nullable(),
  lastCheckedAt: timestampSchema.nullable(),
  /** Observation time of the newest accepted input (success or failure) — the order guard. */
  lastObservedAt: timestampSchema.nullable(),
  lastError: sourceErrorSchema.nullable(),
});
export type Ec2MetricsBlock = z.infer<typeof ec2MetricsBlockSchema>;

export const cloudwatchMetricsBlockSchema = z.object({
  cpuUtilization: z.number().nullable(),
  memoryUtilization: z.number().nullable(),
  periodSeconds: z.number().int().positive().nullable(),
  datapointAt: timestampSchema.nullable(),
  stale: z.boolean(),
  detailedMonitoringEnabled: z.boolean().nullable(),
  lastCollectedAt: timestampSchema.nullable(),
  lastObservedAt: timestampSchema.nullable(),
  lastError: sourceErrorSchema.nullable(),
});
export type CloudwatchMetricsBlock = z.infer<typeof cloudwatchMetricsBlockSchema>;

/**
 * Longest `systemInfo` (CML's raw `/system_information` body) the worker state and the domain events hold, in bytes of
 * JSON. A larger body is cut down to the top-level fields that fit, plus {@link SYSTEM_INFO_TRUNCATED_KEY}.
 */
export const SYSTEM_INFO_MAX_BYTES = 8_192;

/** Key of the marker a cut-down `systemInfo` carries: `{ originalBytes, maxBytes }`. */
export const SYSTEM_INFO_TRUNCATED_KEY = "_truncated";

/** `systemInfo` of the worker state and of `cml_metrics_updated`. */
export const boundedSystemInfoSchema = z
  .record(z.string(), z.unknown())
  .nullable()
  .describe(
    `Raw CML /system_information body, at most ${SYSTEM_INFO_MAX_BYTES} bytes of JSON; a larger one keeps the top-level fields that fit and gains \`${SYSTEM_INFO_TRUNCATED_KEY}: { originalBytes, maxBytes }\``,
  );

export const cmlMetricsBlockSchema = z.object({
  ready: z.boolean().nullable(),
  version: z.string().nullable(),
  labsCount: nonNegativeIntSchema.nullable(),
  runningLabsCount: nonNegativeIntSchema.nullable(),
  licenseStatus: licenseStatusSchema.nullable(),
  cpuPercent: z.number().nullable(),
  memoryUsedPercent: z.number().nullable(),
  diskUsedPercent: z.number().nullable(),
  runningNodes: nonNegativeIntSchema.nullable(),
  systemInfo: boundedSystemInfoSchema,
  lastSyncedAt: timestampSchema.nullable(),
  lastObservedAt: timestampSchema.nullable(),
  lastError: sourceErrorSchema.nullable(),
});
export type CmlMetricsBlock = z.infer<typeof cmlMetricsBlockSchema>;

/** The last lifecycle request of a worker and its outcome. */
export const lastLifecycleActionSchema = z.object({
  action: lifecycleActionSchema,
  requestedBy: requestedBySchema,
  reason: lifecycleReasonSchema,
  dryRun: z.boolean(),
  outcome: lifecycleOutcomeSchema,
  requestId: lifecycleRequestIdSchema,
  at: timestampSchema.describe("When worker-lifecycle observed the outcome"),
});
export type LastLifecycleAction = z.infer<typeof lastLifecycleActionSchema>;

/** Why the idle policy left the worker running in the current idle period (`idle_stop_skipped`). */
export const idleStopSkippedStateSchema = z.object({
  reason: idleStopSkipReasonSchema,
  at: timestampSchema,
});
export type IdleStopSkippedState = z.infer<typeof idleStopSkippedStateSchema>;

/** Closed intervals of the current UTC month (the open ones are `runningSince` and `idleStoppedAt`). */
export const workerUsageSchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be YYYY-MM")
    .describe("UTC month the seconds belong to"),
  runningSeconds: z.number().nonnegative().describe("Seconds RUNNING in closed intervals of the month"),
  idleStopSavedSeconds: z
    .number()
    .nonnegative()
    .describe("Seconds stopped by the idle policy (until the next start) in closed intervals of the month"),
});
export type WorkerUsage = z.infer<typeof workerUsageSchema>;

/**
 * The worker-state fields of the lifecycle (DESIGN §11): null in a state that has seen none of it, and read as null
 * from records written before they existed.
 */
export const LIFECYCLE_STATE_FIELDS = [
  "stoppedBy",
  "terminateRequestedBy",
  "lastLifecycleAction",
  "idleStopSkipped",
  "idleStoppedAt",
  "usage",
] as const;

/** The CML worker aggregate's state (DESIGN §5), as stored in KV `cml_workers`. camelCase; the API maps to snake_case. */
export const workerStateSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  region: z.string(),
  instanceId: z.string(),
  instanceType: z.string().nullable(),
  amiId: z.string().nullable(),
  amiName: z.string().nullable(),
  status: workerStatusSchema,
  serviceStatus: serviceStatusSchema,
  licenseStatus: licenseStatusSchema.nullable(),
  cmlVersion: z.string().nullable(),
  httpsEndpoint: z.string().nullable(),
  /** True when the endpoint comes from the `cml:endpoint` tag or registration, so IP changes do not move it. */
  endpointPinned: z.boolean(),
  publicIp: z.string().nullable(),
  privateIp: z.string().nullable(),
  detailedMonitoring: z.boolean().nullable(),
  tags: z.record(z.string(), z.string()),
  lastActivityAt: timestampSchema.nullable(),
  activeLabsCount: nonNegativeIntSchema,
  /** First ready observation after an unready/unreachable one; uptime = now − cmlReadySince. */
  cmlReadySince: timestampSchema.nullable(),
  /** Set when idle_detected was emitted for the current idle period; cleared by activity. */
  idleDetectedAt: timestampSchema.nullable(),
  lastDiscoveredAt: timestampSchema
    .nullable()
    .describe("Observation time of the newest discovery taken: the order guard of the instance details"),
  statusObservedAt: timestampSchema
    .nullable()
    .default(null)
    .describe(
      "Observation time of the newest status observation taken (discovery or status check): the one order guard of `status`, so a late observation of either kind never rolls it back (absent in records written before it existed)",
    ),
  runningSince: timestampSchema
    .nullable()
    .default(null)
    .describe(
      "When the worker last became RUNNING (null while it is not): CML and CloudWatch observations from before it belong to an earlier run and are ignored (absent in records written before it existed)",
    ),
  stoppedBy: z
    .string()
    .nullable()
    .default(null)
    .describe(
      "Who stopped the worker (API token name or `idle-policy`): set by an accepted stop, cleared by the next accepted start",
    ),
  terminateRequestedBy: z
    .string()
    .nullable()
    .default(null)
    .describe(
      "Who asked for an accepted (or `already`) terminate that AWS has not confirmed yet; becomes `terminatedBy` when it does",
    ),
  lastLifecycleAction: lastLifecycleActionSchema.nullable().default(null),
  idleStopSkipped: idleStopSkippedStateSchema
    .nullable()
    .default(null)
    .describe("Set when `idle_stop_skipped` was emitted for the current idle period; cleared when it ends"),
  idleStoppedAt: timestampSchema
    .nullable()
    .default(null)
    .describe(
      "When an accepted idle-policy stop was observed, until the next start: the open interval of idle-stop savings",
    ),
  usage: workerUsageSchema.nullable().default(null),
  ec2Metrics: ec2MetricsBlockSchema,
  cloudwatchMetrics: cloudwatchMetricsBlockSchema,
  cmlMetrics: cmlMetricsBlockSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  terminatedAt: timestampSchema.nullable(),
  createdBy: z.string(),
  terminatedBy: z
    .string()
    .nullable()
    .describe(
      "Who asked for the termination AWS confirmed (API token name), else `ec2`; null until terminated",
    ),
  /** Number of decisions that produced events; event msg-ids are `<workerId>:<version>:<n>`. */
  version: z.number().int().nonnegative(),
});
export type WorkerState = z.infer<typeof workerStateSchema>;

/**
 * Placeholder an outbox entry holds for a `systemInfo` equal to the state's (the record keeps the body once):
 * `{ "$ref": "#/state/cmlMetrics/systemInfo" }`.
 */
export const OUTBOX_SYSTEM_INFO_REF = "#/state/cmlMetrics/systemInfo";

/**
 * One KV entry of `cml_workers`: the state, the events of the last decision not known to be published yet (outbox,
 * CloudEvents JSON; a `data.systemInfo` equal to the state's is stored as `{ "$ref": OUTBOX_SYSTEM_INFO_REF }`), and
 * the ids of recently applied inputs (idempotency). The next decision replaces the outbox; the aggregate's start-up
 * scan empties one it found published (or beyond what the stream keeps).
 */
export const workerRecordSchema = z.object({
  state: workerStateSchema,
  outbox: z.array(z.record(z.string(), z.unknown())),
  recentInputIds: z.array(z.string()),
});
export type WorkerRecord = z.infer<typeof workerRecordSchema>;

/**
 * What readers of `cml_workers` other than the aggregate parse: the record's state only (its outbox and input ids are
 * neither checked nor kept). Every replica of every service that watches the bucket parses each of the aggregate's
 * writes, a few hundred a second at 5,000 workers.
 */
export const workerRecordStateSchema = workerRecordSchema.pick({ state: true });

/** Identity and provenance of a {@link blankWorkerState}. */
export interface BlankWorkerStateInit {
  readonly id: string;
  readonly region: string;
  readonly instanceId: string;
  /** `createdAt` and `updatedAt` (ISO timestamp). */
  readonly at: string;
  readonly createdBy: string;
}

/**
 * A schema-valid worker state that knows nothing yet: every observed field null, status `UNKNOWN`, service
 * `UNAVAILABLE`, empty metric blocks, version 0. Callers spread it and override what they know.
 */
export function blankWorkerState(init: BlankWorkerStateInit): WorkerState {
  return {
    id: init.id,
    name: null,
    region: init.region,
    instanceId: init.instanceId,
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
    statusObservedAt: null,
    runningSince: null,
    stoppedBy: null,
    terminateRequestedBy: null,
    lastLifecycleAction: null,
    idleStopSkipped: null,
    idleStoppedAt: null,
    usage: null,
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
    createdAt: init.at,
    updatedAt: init.at,
    terminatedAt: null,
    createdBy: init.createdBy,
    terminatedBy: null,
    version: 0,
  };
}
