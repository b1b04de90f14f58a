import { z } from "zod";
import { awsEnv, ec2EndpointEnv, pricingEndpointEnv, withDefaultRegion } from "../aws-env.ts";
import { collectIntervalEnv } from "../collect-intervals-env.ts";
import { envVar } from "../env-registry.ts";
import { awsRegionName, envString } from "../env-types.ts";
import { idleCheckEnv, idleEnv } from "../idle-env.ts";
import { idleStopPolicyEnv } from "../idle-stop-env.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { observabilityEnv } from "../observability-env.ts";

/** Config of `worker-lifecycle`: start, stop and terminate workers, the idle auto-stop policy, and prices. */
export const workerLifecycleConfigSchema = z
  .object({
    ...natsEnv,
    ...jetstreamEnv,
    ...observabilityEnv(9469),
    ...awsEnv,
    ...ec2EndpointEnv,
    ...pricingEndpointEnv,
    ...idleEnv,
    ...idleCheckEnv,
    ...collectIntervalEnv.cml,
    ...idleStopPolicyEnv,
    PRICING_REGION: envVar(envString(awsRegionName).default("us-east-1"), {
      description:
        "Region of the AWS Price List Query API client (the API answers in us-east-1, eu-central-1 and ap-south-1; prices of every region are read through it).",
    }),
    PRICES_FILE: envVar(envString().optional(), {
      description:
        'JSON file of on-demand hourly prices in USD, `{ "<region>": { "<instanceType>": <usd> } }`, that overrides the Price List Query API (for types it lists); unset = the API only. An unknown price is shown as null, never guessed.',
    }),
  })
  .transform(withDefaultRegion);

/** Typed config of `worker-lifecycle`. */
export type WorkerLifecycleConfig = z.output<typeof workerLifecycleConfigSchema>;
