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
    EC2_NOT_FOUND_GRACE_SECONDS: envVar(envSeconds({ min: 0, max: 86_400 }).default(900), {
      description:
        "How long EC2 must keep answering `InvalidInstanceID.NotFound` for a worker it once showed before the worker is reported terminated. EC2 is eventually consistent (a just-launched or just-tagged instance can be NotFound for a while), so until then the worker gets an `ec2.failed` `not_found`; a worker EC2 never showed (wrong instance id or region) is never terminated this way. AWS's own `terminated`/`shutting-down` states terminate at once.",
    }),
  })
  .transform(withDefaultRegion);

/** Typed config of `collector-ec2`. */
export type CollectorEc2Config = z.output<typeof collectorEc2ConfigSchema>;
