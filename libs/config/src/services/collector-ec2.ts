import { z } from "zod";
import { awsEnv, ec2EndpointEnv, withDefaultRegion } from "../aws-env.ts";
import { collectIntervalEnv } from "../collect-intervals-env.ts";
import { envVar } from "../env-registry.ts";
import { envSeconds } from "../env-types.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { observabilityEnv } from "../observability-env.ts";

/** Config of `collector-ec2`: instance discovery and EC2 status checks. */
export const collectorEc2ConfigSchema = z
  .object({
    ...natsEnv,
    ...jetstreamEnv,
    ...observabilityEnv(9464),
    ...awsEnv,
    ...ec2EndpointEnv,
    ...collectIntervalEnv.ec2,
    DISCOVERY_INTERVAL_SECONDS: envVar(envSeconds({ min: 10, max: 86_400 }).default(300), {
      description:
        "Seconds between discovery slots per region (`DescribeInstances` filtered by `CML_WORKER_TAG`).",
    }),
  })
  .transform(withDefaultRegion);

/** Typed config of `collector-ec2`. */
export type CollectorEc2Config = z.output<typeof collectorEc2ConfigSchema>;
