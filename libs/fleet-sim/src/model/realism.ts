/** Shortest and longest time an EC2 transition takes, seconds (inclusive). */
export type SecondsRange = readonly [number, number];

/** How long the intermediate states last after a StartInstances, StopInstances or TerminateInstances call. */
export interface TransitionSeconds {
  /** pending → running after StartInstances. */
  readonly pending: SecondsRange;
  /** stopping → stopped after StopInstances. */
  readonly stopping: SecondsRange;
  /** shutting-down → terminated after TerminateInstances. */
  readonly shuttingDown: SecondsRange;
}

/**
 * Behaviours of the real AWS services the simulator copies even when they hurt a client. Every mode is on by default
 * (the README lists each with the AWS documentation it follows); tests and the control API may tune them.
 */
export interface RealismModes {
  /**
   * `ec2-eventual-consistency`: for a seeded-random 0..N seconds after an instance is launched or gets the worker tag,
   * EC2 calls that name it by id (`DescribeInstanceStatus`, `DescribeInstances` with `InstanceId.N`) answer
   * `InvalidInstanceID.NotFound`. 0 turns it off.
   */
  ec2ConsistencySeconds: number;
  /**
   * `cloudwatch-publish-delay`: a datapoint becomes visible `metricLagSeconds` plus a seeded-random 0..N seconds after
   * its period ends (1-minute data: 1–2 minutes), so there is never a datapoint for the current minute.
   */
  metricLagJitterSeconds: number;
  /** `cloudwatch-listing-retention`: days `ListMetrics` keeps listing a series that receives no new data. */
  metricListingDays: number;
  /** `cloudwatch-datapoint-limit`: datapoints one `GetMetricData` call returns before `PartialData` + `NextToken`. */
  maxDatapointsPerCall: number;
  /**
   * `ec2-transition-times`: an instance started, stopped or terminated through the EC2 API stays in the intermediate
   * state for a seeded-random time in these ranges (per instance and call), not at once and not always alike.
   */
  ec2TransitionSeconds: TransitionSeconds;
}

/** The defaults: AWS's own figures. */
export const DEFAULT_REALISM: Readonly<RealismModes> = {
  ec2ConsistencySeconds: 20,
  metricLagJitterSeconds: 59,
  metricListingDays: 14,
  maxDatapointsPerCall: 100_800,
  ec2TransitionSeconds: { pending: [20, 60], stopping: [10, 40], shuttingDown: [5, 30] },
};
