import type { AgentConfig } from "./types.ts";

/** A CloudWatch dimension. */
export interface Dimension {
  Name: string;
  Value: string;
}

/** Tag AWS Auto Scaling puts on its instances; the agent's `AutoScalingGroupName` dimension takes its value. */
export const ASG_NAME_TAG = "aws:autoscaling:groupName";

/** What the agent's dimensions are made of. */
export interface AgentDimensionSource {
  agent: AgentConfig;
  instanceId: string;
  imageId: string;
  instanceType: string;
  tags: Readonly<Record<string, string>>;
}

/**
 * The dimension set the CloudWatch agent publishes `mem_used_percent` under (its `append_dimensions`), or undefined
 * without an agent. `AutoScalingGroupName` is left out for an instance outside an Auto Scaling group, like the agent.
 */
export function agentDimensions(instance: AgentDimensionSource): Dimension[] | undefined {
  const id = { Name: "InstanceId", Value: instance.instanceId };
  const imageAndType = [
    id,
    { Name: "ImageId", Value: instance.imageId },
    { Name: "InstanceType", Value: instance.instanceType },
  ];
  switch (instance.agent) {
    case "none":
      return undefined;
    case "instance-id":
      return [id];
    case "instance-image-type":
      return imageAndType;
    case "instance-image-type-asg": {
      const group = instance.tags[ASG_NAME_TAG];
      return group === undefined
        ? imageAndType
        : [...imageAndType, { Name: "AutoScalingGroupName", Value: group }];
    }
    default: {
      const unknown: never = instance.agent;
      throw new RangeError(`Unknown agent config ${String(unknown)}`);
    }
  }
}

/** Whether two dimension sets are the same set (CloudWatch matches them exactly, in any order). */
export function sameDimensions(a: readonly Dimension[], b: readonly Dimension[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((d) => b.some((e) => e.Name === d.Name && e.Value === d.Value));
}
