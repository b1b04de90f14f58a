import {
  DescribeInstancesCommand,
  type EC2Client,
  type InstanceStateChange,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import type { AwsCaller } from "@cml-telemetry/aws";
import type { LifecycleAction } from "@cml-telemetry/contracts";
import type { InstanceLifecycle, StateChange } from "./instance-lifecycle.ts";

function stateChangeOf(changes: InstanceStateChange[] | undefined, instanceId: string): StateChange {
  const change = changes?.find((candidate) => candidate.InstanceId === instanceId) ?? changes?.[0];
  return {
    previousState: change?.PreviousState?.Name ?? null,
    currentState: change?.CurrentState?.Name ?? null,
  };
}

/** An instance missing from a DescribeInstances answer that did not fail (EC2 names unknown ids in an error). */
export class InstanceNotDescribedError extends Error {
  override readonly name = "InvalidInstanceID.NotFound";
  readonly $fault = "client";
}

/**
 * {@link InstanceLifecycle} over `@aws-sdk/client-ec2`, one client per region, every call through the caller (which
 * counts it and backs off on throttling).
 */
export function createEc2InstanceLifecycle(options: {
  clientFor: (region: string) => EC2Client;
  caller: AwsCaller;
}): InstanceLifecycle {
  const { clientFor, caller } = options;
  return {
    async readState(region, instanceId) {
      const out = await caller.call("DescribeInstances", region, () =>
        clientFor(region).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })),
      );
      const instance = out.Reservations?.flatMap((reservation) => reservation.Instances ?? []).find(
        (candidate) => candidate.InstanceId === instanceId,
      );
      const state = instance?.State?.Name;
      if (state === undefined)
        throw new InstanceNotDescribedError(`The instance ID '${instanceId}' does not exist`);
      return state;
    },
    async change(region, action: LifecycleAction, instanceId, dryRun) {
      const client = clientFor(region);
      const input = { InstanceIds: [instanceId], DryRun: dryRun };
      switch (action) {
        case "start": {
          const out = await caller.call("StartInstances", region, () =>
            client.send(new StartInstancesCommand(input)),
          );
          return stateChangeOf(out.StartingInstances, instanceId);
        }
        case "stop": {
          const out = await caller.call("StopInstances", region, () =>
            client.send(new StopInstancesCommand(input)),
          );
          return stateChangeOf(out.StoppingInstances, instanceId);
        }
        case "terminate": {
          const out = await caller.call("TerminateInstances", region, () =>
            client.send(new TerminateInstancesCommand(input)),
          );
          return stateChangeOf(out.TerminatingInstances, instanceId);
        }
        default: {
          const unhandled: never = action;
          throw new TypeError(`unhandled lifecycle action ${String(unhandled)}`);
        }
      }
    },
  };
}
