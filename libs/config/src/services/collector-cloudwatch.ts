import { z } from "zod";
import { awsEnv, cloudWatchEndpointEnv, withDefaultRegion } from "../aws-env.ts";
import { envVar } from "../env-registry.ts";
import { envSeconds } from "../env-types.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { observabilityEnv } from "../observability-env.ts";

/** Config of `collector-cloudwatch`: CPU and memory metrics via `GetMetricData`. */
export const collectorCloudWatchConfigSchema = z
  .object({
    ...natsEnv,
    ...jetstreamEnv,
    ...observabilityEnv(9465),
    ...awsEnv,
    ...cloudWatchEndpointEnv,
    COLLECT_INTERVAL_CLOUDWATCH_SECONDS: envVar(envSeconds({ min: 10, max: 86_400 }).default(300), {
      description:
        "Seconds between CloudWatch collection slots. 300 matches basic monitoring (5-minute datapoints); 60 suits workers with detailed monitoring.",
    }),
  })
  .transform(withDefaultRegion);

/** Typed config of `collector-cloudwatch`. */
export type CollectorCloudWatchConfig = z.output<typeof collectorCloudWatchConfigSchema>;
