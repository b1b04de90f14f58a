import { INPUT_REJECTED_ERROR_TYPE, type Source } from "@cml-telemetry/contracts";
import type { WorkerCommand } from "../decider/commands.ts";

/** The source an input observed, if it is an observation (registration, the idle tick and idle-policy skips are not). */
function sourceOf(command: WorkerCommand): Source | undefined {
  switch (command.type) {
    case "ec2.discovered":
    case "ec2.status":
    case "ec2.action":
      return "ec2";
    case "cloudwatch.metrics":
      return "cloudwatch";
    case "cml.metrics":
      return "cml";
    case "source.failed":
      return command.data.source;
    case "register":
    case "detectIdle":
    case "idlePolicy":
      return undefined;
    default: {
      const unhandled: never = command;
      throw new TypeError(`unhandled worker command ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * The `source.failed` that surfaces an observation the aggregate could not store (`errorType` InputRejected, not
 * retryable, at the observation's time): the worker's state then says that source's last reading was lost, instead
 * of the observation vanishing. Undefined for an input that is not an observation.
 */
export function rejectionOf(command: WorkerCommand, reason: string): WorkerCommand | undefined {
  const source = sourceOf(command);
  if (
    source === undefined ||
    command.type === "register" ||
    command.type === "detectIdle" ||
    command.type === "idlePolicy"
  )
    return undefined;
  const { workerId, region, instanceId, observedAt } = command.data;
  return {
    type: "source.failed",
    data: {
      workerId,
      region,
      instanceId,
      source,
      errorType: INPUT_REJECTED_ERROR_TYPE,
      errorMessage: reason,
      retryable: false,
      observedAt,
    },
    inputId: `${command.inputId}:rejected`,
    correlationId: command.correlationId,
    receivedAt: command.receivedAt,
  };
}
