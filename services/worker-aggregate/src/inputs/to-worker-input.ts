import {
  type CmlCloudEvent,
  commands,
  correlationIdOf,
  parseEventData,
  type Source,
  telemetry,
  ValidationError,
} from "@cml-telemetry/contracts";
import type { WorkerCommand } from "../decider/commands.ts";

/** What one consumed message asks of the aggregate: a command for one worker, or the fleet-wide idle tick. */
export type WorkerInput =
  | { readonly kind: "worker"; readonly workerId: string; readonly command: WorkerCommand }
  | {
      readonly kind: "detectIdle";
      readonly slot: number;
      readonly inputId: string;
      readonly correlationId?: string | undefined;
    };

function failed(source: Source, event: CmlCloudEvent<unknown>, envelope: Envelope): WorkerInput {
  const definition =
    source === "ec2"
      ? telemetry.ec2Failed
      : source === "cloudwatch"
        ? telemetry.cloudwatchFailed
        : telemetry.cmlFailed;
  const data = parseEventData(definition, event);
  return {
    kind: "worker",
    workerId: data.workerId,
    command: { type: "source.failed", data: { ...data, source }, ...envelope },
  };
}

interface Envelope {
  inputId: string;
  correlationId?: string | undefined;
  receivedAt: string;
}

/**
 * Turns a consumed CloudEvent (telemetry or a `cml.cmd.worker.>` command) into the aggregate's input, validating
 * its data against the contract.
 * @throws ValidationError for an unknown type or data that does not match its schema (the message is termed).
 */
export function toWorkerInput(event: CmlCloudEvent<unknown>, receivedAt: Date): WorkerInput {
  const envelope: Envelope = {
    inputId: event.id,
    correlationId: correlationIdOf(event),
    receivedAt: receivedAt.toISOString(),
  };
  switch (event.type) {
    case telemetry.ec2Discovered.type: {
      const data = parseEventData(telemetry.ec2Discovered, event);
      return {
        kind: "worker",
        workerId: data.workerId,
        command: { type: "ec2.discovered", data, ...envelope },
      };
    }
    case telemetry.ec2Status.type: {
      const data = parseEventData(telemetry.ec2Status, event);
      return { kind: "worker", workerId: data.workerId, command: { type: "ec2.status", data, ...envelope } };
    }
    case telemetry.cloudwatchMetrics.type: {
      const data = parseEventData(telemetry.cloudwatchMetrics, event);
      return {
        kind: "worker",
        workerId: data.workerId,
        command: { type: "cloudwatch.metrics", data, ...envelope },
      };
    }
    case telemetry.cmlMetrics.type: {
      const data = parseEventData(telemetry.cmlMetrics, event);
      return { kind: "worker", workerId: data.workerId, command: { type: "cml.metrics", data, ...envelope } };
    }
    case telemetry.ec2Failed.type:
      return failed("ec2", event, envelope);
    case telemetry.cloudwatchFailed.type:
      return failed("cloudwatch", event, envelope);
    case telemetry.cmlFailed.type:
      return failed("cml", event, envelope);
    case commands.register.type: {
      const data = parseEventData(commands.register, event);
      return { kind: "worker", workerId: data.workerId, command: { type: "register", data, ...envelope } };
    }
    case commands.detectIdle.type: {
      const data = parseEventData(commands.detectIdle, event);
      return {
        kind: "detectIdle",
        slot: data.slot,
        inputId: envelope.inputId,
        correlationId: envelope.correlationId,
      };
    }
    default:
      throw new ValidationError(`worker-aggregate does not handle ${event.type}`, [
        { field: "type", message: "not an input of the worker aggregate" },
      ]);
  }
}
