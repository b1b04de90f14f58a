import { type CmlCloudEvent, createEvent, subjects, telemetry } from "@cml-telemetry/contracts";
import type { CmlCollection } from "./collect-cml-worker.ts";

/** The worker a telemetry message is about. */
export interface CmlWorkerRef {
  readonly workerId: string;
  readonly region: string;
  readonly instanceId: string;
}

/** A telemetry message ready to publish. */
export interface CmlTelemetryMessage {
  readonly subject: string;
  readonly event: CmlCloudEvent<unknown>;
}

/**
 * Builds `cml.metrics` or `cml.failed` for one collection (subject `cml.telemetry.cml.<workerId>`), carrying the
 * command's correlation id. `uptimeSeconds` is always null: CML 2.x does not report it (the aggregate derives it).
 */
export function cmlTelemetryMessage(
  ref: CmlWorkerRef,
  collection: CmlCollection,
  observedAt: Date,
  correlationId: string | undefined,
): CmlTelemetryMessage {
  const common = {
    source: "collector-cml" as const,
    subject: ref.workerId,
    time: observedAt,
    correlationId,
  };
  const workerRef = { workerId: ref.workerId, region: ref.region, instanceId: ref.instanceId };
  const at = observedAt.toISOString();
  const event =
    collection.kind === "metrics"
      ? createEvent(telemetry.cmlMetrics, {
          ...common,
          data: {
            ...workerRef,
            ready: collection.telemetry.ready,
            version: collection.telemetry.version,
            uptimeSeconds: null,
            labsCount: collection.telemetry.labsCount,
            runningLabsCount: collection.telemetry.runningLabsCount,
            licenseStatus: collection.telemetry.licenseStatus,
            cpuPercent: collection.telemetry.cpuPercent,
            memoryUsedPercent: collection.telemetry.memoryUsedPercent,
            diskUsedPercent: collection.telemetry.diskUsedPercent,
            runningNodes: collection.telemetry.runningNodes,
            systemInfo: collection.telemetry.systemInfo,
            observedAt: at,
          },
        })
      : createEvent(telemetry.cmlFailed, {
          ...common,
          data: {
            ...workerRef,
            errorType: collection.errorType,
            errorMessage: collection.errorMessage,
            retryable: collection.retryable,
            observedAt: at,
          },
        });
  return { subject: subjects.telemetry("cml", ref.workerId), event };
}
