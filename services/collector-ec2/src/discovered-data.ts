import type { Instance } from "@aws-sdk/client-ec2";
import {
  type Ec2Discovered,
  type WorkerState,
  workerIdOf,
  workerStatusFromInstanceState,
} from "@cml-telemetry/contracts";

/** The `ec2.discovered` data of one instance returned by `DescribeInstances`; undefined without an instance id. */
export function toDiscoveredData(
  instance: Instance,
  region: string,
  amiName: string | null,
  observedAt: Date,
): Ec2Discovered | undefined {
  const instanceId = instance.InstanceId;
  if (!instanceId) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? "";
  return {
    workerId: workerIdOf(region, instanceId),
    region,
    instanceId,
    name: tags.Name ?? null,
    instanceType: instance.InstanceType ?? "unknown",
    amiId: instance.ImageId ?? "unknown",
    amiName,
    instanceState: instance.State?.Name ?? "unknown",
    privateIp: instance.PrivateIpAddress ?? null,
    publicIp: instance.PublicIpAddress ?? null,
    tags,
    launchTime: instance.LaunchTime ? instance.LaunchTime.toISOString() : null,
    detailedMonitoring: instance.Monitoring?.State === "enabled",
    observedAt: observedAt.toISOString(),
  };
}

/**
 * Whether a discovered instance differs from what the worker state holds (type, AMI, IPs, name, tags, state,
 * monitoring); a worker not in the directory yet is always new.
 */
export function discoveryChanged(data: Ec2Discovered, state: WorkerState | undefined): boolean {
  if (!state) return true;
  return (
    state.instanceType !== data.instanceType ||
    state.amiId !== data.amiId ||
    (data.amiName !== null && state.amiName !== data.amiName) ||
    state.privateIp !== data.privateIp ||
    state.publicIp !== data.publicIp ||
    (data.name !== null && state.name !== data.name) ||
    state.status !== workerStatusFromInstanceState(data.instanceState) ||
    state.detailedMonitoring !== data.detailedMonitoring ||
    !sameTags(state.tags, data.tags)
  );
}

function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
