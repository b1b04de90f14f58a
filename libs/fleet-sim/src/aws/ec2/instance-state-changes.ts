import type { Ec2StateChange, StateChangeResult } from "../../model/fleet-model.ts";
import { IncorrectInstanceStateError } from "../../model/incorrect-instance-state-error.ts";
import { INSTANCE_STATE_CODES } from "../../model/instance-state.ts";
import type { InstanceStateName } from "../../model/types.ts";
import { AwsApiError } from "../aws-api-error.ts";
import { dryRunOperation } from "./dry-run.ts";
import { INSTANCE_ID_PATTERN } from "./ec2-ids.ts";
import { EC2_XMLNS, type Ec2Request, resolveInstanceIds } from "./ec2-request.ts";

function stateXml(tag: string, state: InstanceStateName): string {
  return `<${tag}><code>${INSTANCE_STATE_CODES[state]}</code><name>${state}</name></${tag}>`;
}

/**
 * One of `StartInstances`, `StopInstances`, `TerminateInstances`: `InstanceId.N` (required), `DryRun`. EC2's order:
 * a malformed id fails the call; a dry run answers `DryRunOperation` without looking the instances up; otherwise
 * unknown ids fail the call with `InvalidInstanceID.NotFound`, one instance whose state does not allow the change
 * fails it with `IncorrectInstanceState` (nothing changes), and an instance already in or on its way to the target
 * state is reported as it is (previous = current).
 */
function stateChangeAction(change: Ec2StateChange, operation: string) {
  return ({ params, region, fleet, requestId }: Ec2Request): string => {
    const ids = params.list("InstanceId");
    if (ids.length === 0) {
      throw new AwsApiError("MissingParameter", "The request must contain the parameter InstanceId");
    }
    const malformed = ids.find((id) => !INSTANCE_ID_PATTERN.test(id));
    if (malformed !== undefined) {
      throw new AwsApiError("InvalidInstanceID.Malformed", `Invalid id: "${malformed}"`);
    }
    if (params.get("DryRun") === "true") throw dryRunOperation();
    const instances = resolveInstanceIds(fleet, region, ids);
    const results: Array<{ instanceId: string } & StateChangeResult> = [];
    try {
      for (const instance of instances) fleet.checkStateChange(instance.instanceId, change);
      for (const instance of instances) {
        results.push({
          instanceId: instance.instanceId,
          ...fleet.applyStateChange(instance.instanceId, change),
        });
      }
    } catch (error) {
      if (error instanceof IncorrectInstanceStateError) {
        throw new AwsApiError("IncorrectInstanceState", error.message);
      }
      throw error;
    }
    const items = results
      .map(
        (result) =>
          `<item><instanceId>${result.instanceId}</instanceId>${stateXml("currentState", result.current)}${stateXml("previousState", result.previous)}</item>`,
      )
      .join("");
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${EC2_XMLNS}"><requestId>${requestId}</requestId><instancesSet>${items}</instancesSet></${operation}Response>`;
  };
}

/** EC2 `StartInstances`: stopped → pending → running. */
export const startInstances = stateChangeAction("start", "StartInstances");
/** EC2 `StopInstances`: running → stopping → stopped (`Force` and `Hibernate` are accepted and change nothing here). */
export const stopInstances = stateChangeAction("stop", "StopInstances");
/** EC2 `TerminateInstances`: → shutting-down → terminated (idempotent, as EC2 documents). */
export const terminateInstances = stateChangeAction("terminate", "TerminateInstances");
