import type { DomainEvent } from "@cml-telemetry/contracts";

type InstanceAssigned = Extract<DomainEvent, { name: "instance_assigned" }>["data"];

/** The EC2 instance details an `ec2.discovered` observation, its `instance_assigned` event and the state share. */
export type InstanceDetails = Pick<
  InstanceAssigned,
  "instanceType" | "amiId" | "amiName" | "publicIp" | "privateIp" | "tags" | "detailedMonitoring"
>;

/**
 * The instance details of a discovery or event, copied under the same names: the one mapping the Decider uses from a
 * discovery to its `instance_assigned` event, and from the event to the state.
 */
export function instanceDetailsOf(source: InstanceDetails): InstanceDetails {
  return {
    instanceType: source.instanceType,
    amiId: source.amiId,
    amiName: source.amiName,
    publicIp: source.publicIp,
    privateIp: source.privateIp,
    tags: source.tags,
    detailedMonitoring: source.detailedMonitoring,
  };
}
