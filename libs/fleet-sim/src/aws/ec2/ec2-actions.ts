import { describeImages } from "./describe-images.ts";
import { describeInstanceStatus } from "./describe-instance-status.ts";
import { describeInstances } from "./describe-instances.ts";
import type { Ec2Request } from "./ec2-request.ts";
import { startInstances, stopInstances, terminateInstances } from "./instance-state-changes.ts";

/** The EC2 actions the simulator implements, each rendering the XML response body. */
export const EC2_ACTIONS: Readonly<Record<string, (request: Ec2Request) => string>> = {
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  DescribeImages: describeImages,
  StartInstances: startInstances,
  StopInstances: stopInstances,
  TerminateInstances: terminateInstances,
};
