/** Stream retention kinds (mirrors JetStream's `retention`). */
export type StreamRetention = "limits" | "workqueue";

/** A JetStream stream of the contract, as data. */
export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly retention: StreamRetention;
  /** Maximum age of a message, seconds. */
  readonly maxAgeSeconds: number;
  /** Window in which a repeated `Nats-Msg-Id` is dropped, seconds. */
  readonly duplicateWindowSeconds: number;
  readonly description: string;
}

/** A KV bucket of the contract, as data. */
export interface KvBucketDefinition {
  readonly bucket: string;
  readonly history: number;
  /** What a key is (docs); absent = the worker id. */
  readonly key?: string;
  /** Age after which an entry's last value is removed, seconds; absent = kept until deleted. */
  readonly maxAgeSeconds?: number;
  readonly description: string;
}

/** The whole NATS topology of the system. */
export interface Topology {
  readonly streams: {
    readonly commands: StreamDefinition;
    readonly telemetry: StreamDefinition;
    readonly workerEvents: StreamDefinition;
    readonly ops: StreamDefinition;
  };
  readonly kv: {
    readonly workers: KvBucketDefinition;
    readonly tlsPins: KvBucketDefinition;
    readonly refreshes: KvBucketDefinition;
    readonly lifecycleRequests: KvBucketDefinition;
    readonly prices: KvBucketDefinition;
  };
}

const HOUR = 3600;
const DAY = 86_400;

/**
 * The topology of DESIGN §4. `namePrefix` prefixes stream and bucket names (never subjects) so tests can
 * isolate runs on one server; `telemetryRetentionDays` is `TELEMETRY_RETENTION_DAYS` (default 7).
 */
export function createTopology(
  options: { namePrefix?: string; telemetryRetentionDays?: number } = {},
): Topology {
  const prefix = options.namePrefix ?? "";
  const telemetryDays = options.telemetryRetentionDays ?? 7;
  return {
    streams: {
      commands: {
        name: `${prefix}CML_COMMANDS`,
        subjects: ["cml.cmd.>"],
        retention: "workqueue",
        maxAgeSeconds: HOUR,
        duplicateWindowSeconds: 120,
        description: "Collect/discover/worker commands (work queue: each command handled once).",
      },
      telemetry: {
        name: `${prefix}CML_TELEMETRY`,
        subjects: ["cml.telemetry.>"],
        retention: "limits",
        maxAgeSeconds: telemetryDays * DAY,
        duplicateWindowSeconds: 120,
        description: "Per-source observations of every worker.",
      },
      workerEvents: {
        name: `${prefix}CML_WORKER_EVENTS`,
        subjects: ["cml.worker.>"],
        retention: "limits",
        maxAgeSeconds: 30 * DAY,
        duplicateWindowSeconds: 120,
        description: "Domain events of the worker aggregate (audit, SSE resume, other systems).",
      },
      ops: {
        name: `${prefix}CML_OPS`,
        subjects: ["cml.ops.>"],
        retention: "limits",
        maxAgeSeconds: 7 * DAY,
        duplicateWindowSeconds: 120,
        description: "Job and connection lifecycle events.",
      },
    },
    kv: {
      workers: {
        bucket: `${prefix}cml_workers`,
        history: 1,
        description: "Worker state (read model for the API and the collectors), written by worker-aggregate.",
      },
      tlsPins: {
        bucket: `${prefix}cml_tls_pins`,
        history: 1,
        description:
          "SHA-256 fingerprint of the first certificate seen per worker (CML_TLS_PIN=tofu), shared by collector-cml replicas.",
      },
      refreshes: {
        bucket: `${prefix}cml_api_refreshes`,
        history: 1,
        // Longer than the longest in-flight window (300 s) and minimum refresh interval (3600 s) the api allows.
        maxAgeSeconds: HOUR,
        description:
          "The last refresh of each worker (request id, start, sources, end), shared by api replicas to join a refresh in flight and keep the minimum interval.",
      },
      lifecycleRequests: {
        bucket: `${prefix}cml_lifecycle_requests`,
        history: 1,
        key: "`<workerId>.<action>.<requestId as base64url>`",
        // Longer than CML_COMMANDS keeps a command (1 h) and the dedupe windows, so a redelivery always finds its claim.
        maxAgeSeconds: DAY,
        description:
          "The claim of each lifecycle request and, once known, its outcome, shared by worker-lifecycle replicas so a request is executed once.",
      },
      prices: {
        bucket: `${prefix}cml_prices`,
        history: 1,
        key: "`<region>.<instanceType with . replaced by _>`",
        description:
          "On-demand hourly price per region and instance type (`{ hourlyUsd, source, fetchedAt }`), written by worker-lifecycle; no entry = unknown.",
      },
    },
  };
}

/** Durable consumer names, shared by all replicas of a service. */
export const consumerNames = {
  collector: (source: "ec2" | "cloudwatch" | "cml") => `collector-${source}`,
  discovery: "collector-ec2-discovery",
  aggregateTelemetry: "worker-aggregate",
  aggregateCommands: "worker-aggregate-commands",
  history: "metrics-history",
  lifecycle: "worker-lifecycle",
} as const;
