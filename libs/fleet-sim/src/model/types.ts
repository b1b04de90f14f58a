/** EC2 instance state names, as AWS reports them. */
export type InstanceStateName =
  | "pending"
  | "running"
  | "shutting-down"
  | "terminated"
  | "stopping"
  | "stopped";

/** Status-check summary values of DescribeInstanceStatus. */
export type StatusCheckValue = "ok" | "impaired" | "insufficient-data" | "not-applicable" | "initializing";

/**
 * Which CloudWatch agent configuration the instance runs:
 * `none` (no agent, no memory series), `instance-id` (dimension `InstanceId` only),
 * `instance-image-type` (`append_dimensions`: `InstanceId`, `ImageId`, `InstanceType`; the default) or
 * `instance-image-type-asg` (those plus `AutoScalingGroupName`, from the `aws:autoscaling:groupName` tag).
 */
export type AgentConfig = "none" | "instance-id" | "instance-image-type" | "instance-image-type-asg";

/**
 * Whether an AMI can still be described: `available`, `deregistered` (`DescribeImages` naming it fails with
 * `InvalidAMIID.NotFound`) or `unshared` (its owner stopped sharing it: `InvalidAMIID.Unavailable`).
 */
export type ImageState = "available" | "deregistered" | "unshared";

/** One dimension set the CloudWatch agent published memory under, and when (epoch ms; `to` null: still). */
export interface AgentSeriesView {
  dimensions: Array<{ Name: string; Value: string }>;
  from: number;
  to: number | null;
}

/** Lifecycle actions that move an instance through AWS's intermediate states over time. */
export type InstanceAction = "start" | "stop" | "terminate" | "reboot";

/** Timings of the simulated lifecycle and of CloudWatch, in seconds. */
export interface FleetTimings {
  /** pending → running. */
  bootSeconds: number;
  /** stopping → stopped. */
  stopSeconds: number;
  /** shutting-down → terminated. */
  terminateSeconds: number;
  /** How long status checks say `initializing` after an instance starts running. */
  statusInitSeconds: number;
  /** A datapoint becomes visible this long after its period ends (1-min data: visible ~2 min after its start). */
  metricLagSeconds: number;
}

/** Everything needed to create an instance; omitted fields are derived deterministically. */
export interface InstanceSpec {
  instanceId?: string;
  region: string;
  availabilityZone?: string;
  imageId?: string;
  amiName?: string;
  instanceType?: string;
  privateIpAddress?: string;
  publicIpAddress?: string | null;
  /** Epoch milliseconds. */
  launchTime?: number;
  state?: InstanceStateName;
  tags?: Record<string, string>;
  detailedMonitoring?: boolean;
  agent?: AgentConfig;
  /** Fixed CPU % instead of the generated series. */
  cpuOverride?: number | null;
  /** Fixed memory % instead of the generated series. */
  memoryOverride?: number | null;
  instanceStatusOverride?: StatusCheckValue | null;
  systemStatusOverride?: StatusCheckValue | null;
  /** Whether the composed simulator gives this instance a simulated CML server. */
  cml?: boolean;
  /** Seconds the CML server reports "booting" after the instance starts running. */
  cmlBootSeconds?: number;
}

/** A change of an instance's CPU load: periods starting at or after `at` (epoch ms) report `value` (%). */
export interface CpuChange {
  at: number;
  value: number;
}

/** A change to an existing instance (control API / CLI). */
export interface InstancePatch {
  /** Force a state immediately (no intermediate state). */
  state?: InstanceStateName;
  /** Move through AWS's intermediate states (e.g. stop: stopping → stopped). */
  action?: InstanceAction;
  cpuOverride?: number | null;
  /**
   * CPU % from now on, as a real change of load: datapoints of periods that start at or after this moment carry
   * it, earlier ones keep theirs (`cpuOverride`, which rewrites every datapoint at once, wins over it).
   */
  cpuChange?: number;
  memoryOverride?: number | null;
  agent?: AgentConfig;
  detailedMonitoring?: boolean;
  /** Tags to set; a `null` value removes the tag. */
  tags?: Record<string, string | null>;
  instanceType?: string;
  instanceStatusOverride?: StatusCheckValue | null;
  systemStatusOverride?: StatusCheckValue | null;
  cml?: boolean;
  cmlBootSeconds?: number;
}

/** A snapshot of one simulated instance (plain data, safe to serialise). */
export interface InstanceView {
  instanceId: string;
  region: string;
  availabilityZone: string;
  imageId: string;
  amiName: string;
  instanceType: string;
  privateIpAddress: string | null;
  publicIpAddress: string | null;
  launchTime: number;
  state: InstanceStateName;
  /** Epoch ms of the last state change. */
  stateSince: number;
  /** When the current intermediate state ends, if any (epoch ms). */
  transitionAt: number | null;
  tags: Record<string, string>;
  detailedMonitoring: boolean;
  agent: AgentConfig;
  cpuOverride: number | null;
  /** CPU changes (`cpuChange`), oldest first: from `at` (epoch ms) on, periods report `value`. */
  cpuChanges: ReadonlyArray<CpuChange>;
  memoryOverride: number | null;
  instanceStatus: StatusCheckValue;
  systemStatus: StatusCheckValue;
  cml: boolean;
  cmlBootSeconds: number;
  /** Whether EC2 calls naming the instance by id find it yet (see the `ec2-eventual-consistency` mode). */
  consistent: boolean;
  /** Every memory series of the agent (a resize or a new agent configuration starts a new one). */
  agentSeries: AgentSeriesView[];
  /** Running intervals `[start, end|null]` in epoch ms (recent history, for datapoints). */
  runs: ReadonlyArray<readonly [number, number | null]>;
}
