import {
  type CmlCloudEvent,
  commands,
  correlationIdOf,
  failedDefinitionOf,
  parseEventData,
  type Source,
  telemetry,
  ValidationError,
} from "@cml-telemetry/contracts";
import type { WorkerCommand } from "../decider/commands.ts";
import { checkWorkerIdentity, type WorkerIdentityCheck, type WorkerRef } from "./worker-identity.ts";

/** What one consumed message asks of the aggregate: a command for one worker, or the fleet-wide idle tick. */
export type WorkerInput =
  | { readonly kind: "worker"; readonly workerId: string; readonly command: WorkerCommand }
  | {
      readonly kind: "detectIdle";
      readonly slot: number;
      readonly inputId: string;
      readonly correlationId?: string | undefined;
    };

function failed(
  source: Source,
  event: CmlCloudEvent<unknown>,
  envelope: Envelope,
  checkIdentity: WorkerIdentityCheck,
): WorkerInput {
  const data = identified(parseEventData(failedDefinitionOf(source), event), checkIdentity);
  return {
    kind: "worker",
    workerId: data.workerId,
    command: { type: "source.failed", data: { ...data, source }, ...envelope },
  };
}

/** The data, once its `workerId` is checked against its region and instance id. */
function identified<T extends WorkerRef>(data: T, checkIdentity: WorkerIdentityCheck): T {
  checkIdentity(data);
  return data;
}

interface Envelope {
  inputId: string;
  correlationId?: string | undefined;
  receivedAt: string;
}

/**
 * Turns a consumed CloudEvent (telemetry or a `cml.cmd.worker.>` command) into the aggregate's input, validating
 * its data against the contract and its `workerId` against its region and instance id.
 * @throws ValidationError for an unknown type or data that does not match its schema (the message is termed);
 * WorkerIdentityError (a ValidationError) for a `workerId` that is not the one of its region and instance id.
 */
export function toWorkerInput(
  event: CmlCloudEvent<unknown>,
  receivedAt: Date,
  checkIdentity: WorkerIdentityCheck = checkWorkerIdentity,
): WorkerInput {
  const envelope: Envelope = {
    inputId: event.id,
    correlationId: correlationIdOf(event),
    receivedAt: receivedAt.toISOString(),
  };
  switch (event.type) {
    case telemetry.ec2Discovered.type: {
      const data = identified(parseEventData(telemetry.ec2Discovered, event), checkIdentity);
      return {
        kind: "worker",
        workerId: data.workerId,
        command: { type: "ec2.discovered", data, ...envelope },
      };
    }
    case telemetry.ec2Status.type: {
      const data = identified(parseEventData(telemetry.ec2Status, event), checkIdentity);
      return { kind: "worker", workerId: data.workerId, command: { type: "ec2.status", data, ...envelope } };
    }
    case telemetry.cloudwatchMetrics.type: {
      const data = identified(parseEventData(telemetry.cloudwatchMetrics, event), checkIdentity);
      return {
        kind: "worker",
        workerId: data.workerId,
        command: { type: "cloudwatch.metrics", data, ...envelope },
      };
    }
    case telemetry.cmlMetrics.type: {
      const data = identified(parseEventData(telemetry.cmlMetrics, event), checkIdentity);
      return { kind: "worker", workerId: data.workerId, command: { type: "cml.metrics", data, ...envelope } };
    }
    case telemetry.ec2Action.type: {
      const data = identified(parseEventData(telemetry.ec2Action, event), checkIdentity);
      return { kind: "worker", workerId: data.workerId, command: { type: "ec2.action", data, ...envelope } };
    }
    case telemetry.ec2Failed.type:
      return failed("ec2", event, envelope, checkIdentity);
    case telemetry.cloudwatchFailed.type:
      return failed("cloudwatch", event, envelope, checkIdentity);
    case telemetry.cmlFailed.type:
      return failed("cml", event, envelope, checkIdentity);
    case commands.register.type: {
      const data = identified(parseEventData(commands.register, event), checkIdentity);
      return { kind: "worker", workerId: data.workerId, command: { type: "register", data, ...envelope } };
    }
    case commands.idlePolicy.type: {
      const data = identified(parseEventData(commands.idlePolicy, event), checkIdentity);
      return { kind: "worker", workerId: data.workerId, command: { type: "idlePolicy", data, ...envelope } };
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
