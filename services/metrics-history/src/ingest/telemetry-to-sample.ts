import {
  type MessageDefinition,
  telemetry,
  ValidationError,
  workerStatusFromInstanceState,
} from "@cml-telemetry/contracts";
import { EC2_STATUS_CODES, type MetricSample } from "@cml-telemetry/history-store";
import type { z } from "zod";
import type { TelemetryEnvelope } from "./decode-telemetry-envelope.ts";

/** Telemetry types that carry no metric values: acknowledged without a sample. */
const TYPES_WITHOUT_SAMPLE: ReadonlySet<string> = new Set([
  telemetry.ec2Discovered.type,
  telemetry.ec2Failed.type,
  telemetry.cloudwatchFailed.type,
  telemetry.cmlFailed.type,
]);

/** Copies the non-null numeric values of `values` onto `sample` (absent fields stay omitted). */
function assignPresent(
  sample: MetricSample,
  values: Partial<Record<keyof MetricSample, number | null>>,
): void {
  for (const [field, value] of Object.entries(values)) {
    if (typeof value === "number") (sample as Record<string, unknown>)[field] = value;
  }
}

/**
 * Maps one telemetry CloudEvent onto a history sample keyed by the event id, timestamped with `data.observedAt`
 * (DESIGN §6). Returns `undefined` for events that carry no metrics (`ec2.discovered`, `*.failed`) and for types
 * this version does not know (a newer producer: ignored, never an error).
 * @throws ValidationError when a known type has invalid data (the message is terminated).
 * @example
 * const sample = telemetryToSample(delivery.event); // { id, timestamp, meta: { workerId, region, source: "cloudwatch" }, cpu: 12.5 }
 */
export function telemetryToSample(event: TelemetryEnvelope): MetricSample | undefined {
  switch (event.type) {
    case telemetry.cloudwatchMetrics.type: {
      const data = dataOf(telemetry.cloudwatchMetrics, event);
      const sample = baseSample(event.id, data, "cloudwatch");
      assignPresent(sample, { cpu: data.cpuUtilization, memory: data.memoryUtilization });
      return sample;
    }
    case telemetry.cmlMetrics.type: {
      const data = dataOf(telemetry.cmlMetrics, event);
      const sample = baseSample(event.id, data, "cml");
      assignPresent(sample, {
        labsCount: data.labsCount,
        runningLabsCount: data.runningLabsCount,
        uptimeSeconds: data.uptimeSeconds,
        cpuPercent: data.cpuPercent,
        memoryUsedPercent: data.memoryUsedPercent,
      });
      return sample;
    }
    case telemetry.ec2Status.type: {
      const data = dataOf(telemetry.ec2Status, event);
      const statusName = workerStatusFromInstanceState(data.instanceState);
      return {
        ...baseSample(event.id, data, "ec2"),
        status: EC2_STATUS_CODES[statusName],
        statusName,
        instanceStatus: data.instanceStatus,
        systemStatus: data.systemStatus,
      };
    }
    default:
      if (TYPES_WITHOUT_SAMPLE.has(event.type)) return undefined;
      if (!event.type.startsWith("io.cml-telemetry.")) {
        throw new ValidationError(`unexpected event type ${event.type} on the telemetry stream`, [
          { field: "type", message: "not a cml-telemetry event type" },
        ]);
      }
      return undefined;
  }
}

function baseSample(
  id: string,
  data: { workerId: string; region: string; observedAt: string },
  source: MetricSample["meta"]["source"],
): MetricSample {
  return {
    id,
    timestamp: new Date(data.observedAt),
    meta: { workerId: data.workerId, region: data.region, source },
  };
}

/** The event's data validated against the definition's schema (fields named `data.<field>` on failure). */
function dataOf<S extends z.ZodType>(definition: MessageDefinition<S>, event: TelemetryEnvelope): z.infer<S> {
  const parsed = definition.schema.safeParse(event.data);
  if (!parsed.success) throw ValidationError.fromZod(`${definition.type} data`, parsed.error, "data");
  return parsed.data;
}
