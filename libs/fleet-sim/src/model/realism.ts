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
}

/** The defaults: AWS's own figures. */
export const DEFAULT_REALISM: Readonly<RealismModes> = {
  ec2ConsistencySeconds: 20,
  metricLagJitterSeconds: 59,
  metricListingDays: 14,
  maxDatapointsPerCall: 100_800,
};
